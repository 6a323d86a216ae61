"""R-TIC-9 approval flow: a version is used by agents only after a department head (or the director,
an administrator) approves it; every decision is audited; refusals change nothing; stale → 409."""

import pytest

from kefu.audit.models import AuditEvent
from kefu.core.errors import NotAllowed, StaleVersion
from kefu.knowledge import services
from kefu.knowledge.models import Article, ArticleVersion

pytestmark = pytest.mark.django_db


def state(article):
    article.refresh_from_db()
    return (article.status, article.version, article.current_version_id, article.title,
            list(article.versions.order_by("number").values_list("number", "status")),
            AuditEvent.objects.filter(object_type__startswith="knowledge.").count())


@pytest.fixture
def proposal(demo, make_article):
    """An approved reply with a pending version 2 written by a team lead."""
    article = make_article("申请退款的流程", "第一版：请在订单页申请。")
    services.propose_version(actor=demo.users["lead1"], article_id=article.pk, version=article.version,
                             title="申请退款的流程（新）", body="第二版：请在订单页点击申请退款。", change_note="周复盘")
    article.refresh_from_db()
    return article


@pytest.mark.parametrize("role", ["agent", "lead", "qa"])
def test_r_tic_9_only_heads_directors_admins_approve_others_get_403_and_nothing_changes(clients, proposal, role):
    before = state(proposal)
    client = clients(role)
    url = f"/knowledge/{proposal.pk}/versions/2/approve/"
    assert client.post(url, {"version": proposal.version}).status_code == 403
    assert client.post(url, {"version": proposal.version}, HTTP_HX_REQUEST="true").status_code == 403
    assert client.post(f"/knowledge/{proposal.pk}/versions/2/reject/",
                       {"version": proposal.version, "reason": "不行"}).status_code == 403
    assert client.post(f"/knowledge/{proposal.pk}/retire/", {"version": proposal.version}).status_code == 403
    assert client.get("/knowledge/approvals/").status_code == 403
    assert state(proposal) == before


@pytest.mark.parametrize("role", ["head", "director", "admin"])
def test_r_tic_9_approvers_approve_from_the_queue_with_htmx_and_it_is_audited(clients, demo, proposal, role):
    client = clients(role)
    page = client.get("/knowledge/approvals/")
    assert page.status_code == 200
    assert "申请退款的流程（新）" in page.content.decode()
    response = client.post(f"/knowledge/{proposal.pk}/versions/2/approve/", {"version": proposal.version},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'data-testid="outcome"' in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.current_version.number == 2
    assert proposal.title == "申请退款的流程（新）"
    v2 = proposal.current_version
    user = demo.users[{"head": "head1", "director": "director1", "admin": "admin"}[role]]
    assert v2.approved_by == user and v2.approved_at is not None
    assert proposal.versions.get(number=1).status == ArticleVersion.Status.APPROVED
    event = AuditEvent.objects.get(object_type="knowledge.articleversion", object_id=str(v2.pk),
                                   action=AuditEvent.Action.TRANSITION)
    assert event.actor == user and event.after["status"] == "approved" and event.note == "R-TIC-9"


def test_r_tic_9_agents_see_the_new_text_only_after_approval(clients, demo, proposal):
    agent = clients("agent")
    page = agent.get(f"/knowledge/{proposal.pk}/").content.decode()
    assert "第一版" in page and "第二版" not in page
    picker = agent.get("/knowledge/picker/?target=reply&q=退款").content.decode()
    assert "第一版" in picker and "第二版" not in picker
    api = agent.get(f"/api/v1/knowledge/articles/{proposal.pk}").json()
    assert api["body"] == "第一版：请在订单页申请。" and [v["number"] for v in api["versions"]] == [1]
    services.approve(actor=demo.users["head1"], article_id=proposal.pk, version_number=2)
    page = agent.get(f"/knowledge/{proposal.pk}/").content.decode()
    assert "第二版" in page
    assert "第二版" in agent.get("/knowledge/picker/?target=reply&q=退款").content.decode()


def test_r_tic_9_reject_needs_a_reason_and_keeps_the_text_in_force(clients, demo, proposal):
    head = clients("head")
    before = state(proposal)
    response = head.post(f"/knowledge/{proposal.pk}/versions/2/reject/", {"version": proposal.version, "reason": ""},
                         HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    assert state(proposal) == before
    response = head.post(f"/knowledge/{proposal.pk}/versions/2/reject/",
                         {"version": proposal.version, "reason": "措辞不够清楚"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    v2 = proposal.versions.get(number=2)
    assert v2.status == ArticleVersion.Status.REJECTED and v2.review_note == "措辞不够清楚"
    assert v2.reviewed_by == demo.users["head1"]
    proposal.refresh_from_db()
    assert proposal.current_version.number == 1 and proposal.status == Article.Status.APPROVED
    assert AuditEvent.objects.filter(object_type="knowledge.articleversion", object_id=str(v2.pk),
                                     after__status="rejected").exists()


def test_r_tic_9_a_superseded_proposal_cannot_be_approved_409(clients, demo, proposal):
    services.propose_version(actor=demo.users["lead2"], article_id=proposal.pk, version=proposal.version,
                             title="申请退款的流程", body="第三版。")
    proposal.refresh_from_db()
    before = state(proposal)
    response = clients("head").post(f"/knowledge/{proposal.pk}/versions/2/approve/",
                                    {"version": proposal.version}, HTTP_HX_REQUEST="true")
    assert response.status_code == 409
    assert state(proposal) == before
    assert proposal.versions.get(number=2).status == ArticleVersion.Status.SUPERSEDED


def test_r_tic_9_approving_with_a_stale_article_version_is_409(clients, proposal):
    before = state(proposal)
    response = clients("head").post(f"/knowledge/{proposal.pk}/versions/2/approve/",
                                    {"version": proposal.version - 1})
    assert response.status_code == 409
    assert state(proposal) == before


def test_r_tic_9_services_refuse_non_approvers(demo, proposal):
    with pytest.raises(NotAllowed):
        services.approve(actor=demo.users["agent1"], article_id=proposal.pk, version_number=2)
    with pytest.raises(StaleVersion):
        services.propose_version(actor=demo.users["agent1"], article_id=proposal.pk, version=1, title="x", body="y")


def test_r_tic_9_an_agent_proposal_waits_for_approval(clients, demo, category):
    response = clients("agent").post("/knowledge/new/", {
        "category": category.pk, "title": "会员生日礼包", "body": "生日当月可领取。", "keywords": "生日, 礼包"})
    assert response.status_code == 302
    article = Article.objects.get(title="会员生日礼包")
    assert article.status == Article.Status.PENDING and article.current_version is None
    assert "会员生日礼包" not in clients("agent").get("/knowledge/picker/?target=t").content.decode()
    assert "会员生日礼包" in clients("head").get("/knowledge/approvals/").content.decode()
    clients("head").post(f"/knowledge/{article.pk}/versions/1/approve/", {"version": article.version})
    article.refresh_from_db()
    assert article.status == Article.Status.APPROVED
    assert "会员生日礼包" in clients("agent").get("/knowledge/picker/?target=t").content.decode()


def test_r_tic_9_retire_takes_the_reply_out_of_use(clients, demo, make_article):
    article = make_article("申请退款的流程")
    response = clients("head").post(f"/knowledge/{article.pk}/retire/", {"version": article.version, "reason": "政策调整"})
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.status == Article.Status.RETIRED
    assert clients("agent").get(f"/knowledge/{article.pk}/").status_code == 404
    assert "申请退款的流程" not in clients("agent").get("/knowledge/picker/?target=t&q=退款").content.decode()
    assert AuditEvent.objects.filter(object_type="knowledge.article", object_id=str(article.pk),
                                     after__status="retired").exists()
    # retiring again is refused by the rule, with a stale version it is 409
    assert clients("head").post(f"/knowledge/{article.pk}/retire/", {"version": article.version}).status_code == 422
    assert clients("head").post(f"/knowledge/{article.pk}/retire/", {"version": 1}).status_code == 409
