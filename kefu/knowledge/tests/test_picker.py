"""R-TIC-9 reply picker: the fragment the ticket page embeds lists approved replies only and counts uses."""

import pytest

from kefu.knowledge import services
from kefu.knowledge.models import Article

pytestmark = pytest.mark.django_db


def items(response) -> str:
    return response.content.decode()


def test_r_tic_9_picker_lists_only_approved_replies_for_everyone(clients, demo, make_article):
    make_article("申请退款的流程", "请在订单页点击申请退款。")
    make_article("退款草稿", approve=False, author="agent1")  # pending, the agent's own
    retired = make_article("旧退款规则")
    services.retire(actor=demo.users["head1"], article_id=retired.pk, version=retired.version)
    for role in ["agent", "head"]:
        html = items(clients(role).get("/knowledge/picker/", {"q": "退款", "target": "reply-body"}))
        assert html.count('data-testid="picker-item"') == 1, role
        assert "申请退款的流程" in html and "退款草稿" not in html and "旧退款规则" not in html


def test_r_tic_9_picker_insert_button_targets_the_textarea_and_carries_the_text(clients, make_article):
    article = make_article("申请退款的流程", "第一步\n第二步")
    html = items(clients("agent").get("/knowledge/picker/", {"target": "reply-body"}))
    assert 'data-target="reply-body"' in html
    assert 'data-text="第一步\n第二步"' in html
    assert f'hx-post="/knowledge/{article.pk}/use/"' in html
    assert "kefuInsertReply" in html and "<html" not in html  # a fragment, not a page
    # an unsafe target id is cleaned, so it cannot break out of the attribute
    html = items(clients("agent").get("/knowledge/picker/", {"target": 'x"><script>'}))
    assert 'data-target="xscript"' in html


def test_r_tic_9_picker_search_answers_the_results_only_for_htmx(clients, make_article):
    make_article("申请退款的流程")
    make_article("查询物流进度", "物流信息。")
    response = clients("agent").get("/knowledge/picker/", {"q": "物流", "target": "r"},
                                    HTTP_HX_REQUEST="true", HTTP_HX_TARGET="kb-picker-results-r")
    html = items(response)
    assert "查询物流进度" in html and "申请退款的流程" not in html and 'name="q"' not in html


def test_r_tic_9_record_use_counts_approved_replies_only(clients, make_article):
    approved = make_article("申请退款的流程")
    pending = make_article("退款草稿", approve=False)
    agent = clients("agent")
    assert agent.post(f"/knowledge/{approved.pk}/use/", HTTP_HX_REQUEST="true").status_code == 204
    assert agent.post(f"/knowledge/{approved.pk}/use/").json() == {"id": approved.pk, "use_count": 2}
    assert agent.post(f"/knowledge/{pending.pk}/use/").status_code == 404
    assert Article.objects.get(pk=pending.pk).use_count == 0
    assert agent.get(f"/knowledge/{approved.pk}/use/").status_code == 405
    assert clients("anonymous").post(f"/knowledge/{approved.pk}/use/").status_code == 302
    assert Article.objects.get(pk=approved.pk).use_count == 2
