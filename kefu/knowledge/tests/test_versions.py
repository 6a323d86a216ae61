"""R-TIC-9 versions: numbering, superseding, drafts, history, and the diff between versions."""

import pytest

from kefu.core.testing import zh
from kefu.knowledge import services
from kefu.knowledge.diff import version_diff
from kefu.knowledge.models import ArticleVersion

pytestmark = pytest.mark.django_db


def test_r_tic_9_versions_are_numbered_and_an_open_one_is_superseded(demo, make_article):
    article = make_article("修改收货地址", "未发货前可以修改。")
    lead = demo.users["lead1"]
    v2 = services.propose_version(actor=lead, article_id=article.pk, version=article.version, title="修改收货地址",
                                  body="未发货前可以修改地址。", submit=False)
    assert (v2.number, v2.status) == (2, ArticleVersion.Status.DRAFT)
    article.refresh_from_db()
    v3 = services.propose_version(actor=lead, article_id=article.pk, version=article.version, title="修改收货地址",
                                  body="未发货前可以修改地址，已发货请联系快递改派。")
    assert v3.number == 3
    assert list(article.versions.order_by("number").values_list("status", flat=True)) == [
        "approved", "superseded", "pending"]
    article.refresh_from_db()
    assert article.current_version.number == 1  # still in force


def test_r_tic_9_a_draft_is_submitted_then_approved(clients, demo, make_article):
    article = make_article("修改收货地址", "未发货前可以修改。")
    services.propose_version(actor=demo.users["agent1"], article_id=article.pk, version=article.version,
                             title="修改收货地址", body="新的说明。", submit=False)
    article.refresh_from_db()
    assert clients("head").get("/knowledge/approvals/").content.decode().count('data-testid="approval-row"') == 0
    response = clients("agent").post(f"/knowledge/{article.pk}/submit/", {"version": article.version})
    assert response.status_code == 302
    assert article.versions.get(number=2).status == ArticleVersion.Status.PENDING
    assert clients("head").get("/knowledge/approvals/").content.decode().count('data-testid="approval-row"') == 1


def test_r_tic_9_edit_page_proposes_a_version_and_a_stale_form_is_409(clients, demo, make_article):
    article = make_article("修改收货地址", "未发货前可以修改。")
    client = clients("lead")
    form = client.get(f"/knowledge/{article.pk}/edit/").content.decode()
    assert "未发货前可以修改。" in form
    data = {"category": article.category_id, "title": "修改收货地址", "body": "第二版内容。", "keywords": "地址",
            "change_note": "复盘", "version": article.version}
    assert client.post(f"/knowledge/{article.pk}/edit/", data).status_code == 302
    before = list(article.versions.values_list("number", "status"))
    stale = client.post(f"/knowledge/{article.pk}/edit/", {**data, "body": "第三版"})  # same old version
    assert stale.status_code == 409
    assert list(article.versions.values_list("number", "status")) == before
    invalid = client.post(f"/knowledge/{article.pk}/edit/", {**data, "body": "", "version": article.version + 1})
    assert invalid.status_code == 422
    assert list(article.versions.values_list("number", "status")) == before


def test_r_tic_9_diff_marks_changed_lines_keywords_and_title(demo, make_article):
    article = make_article("退款", "第一行\n第二行\n第三行", keywords="退款,退钱")
    services.propose_version(actor=demo.users["head1"], article_id=article.pk, version=article.version,
                             title="退款说明", body="第一行\n第二行改了\n第四行", keywords="退款,到账")
    v1, v2 = article.versions.order_by("number")
    diff = version_diff(v1, v2)
    assert diff.title_changed and diff.has_changes
    assert diff.keywords_added == ["到账"] and diff.keywords_removed == ["退钱"]
    kinds = [r.kind for r in diff.rows]
    assert kinds == ["equal", "replace", "replace"]
    changed = [s.text for s in diff.rows[1].right if s.changed]
    assert changed == ["改了"]
    assert "-第三行" in diff.unified and "+第四行" in diff.unified
    assert not version_diff(v1, v1).has_changes
    first = version_diff(None, v1)
    assert [r.kind for r in first.rows] == ["insert"] * 3


def test_r_tic_9_detail_shows_history_and_the_diff_of_chosen_versions(clients, demo, make_article):
    article = make_article("退款", "旧的说法")
    services.propose_version(actor=demo.users["lead1"], article_id=article.pk, version=article.version,
                             title="退款", body="新的说法")
    page = clients("head").get(f"/knowledge/{article.pk}/").content.decode()
    assert 'data-testid="version-history"' in page and 'data-testid="version-diff"' in page
    assert '<del class="kb-del">旧</del>' in page and '<ins class="kb-ins">新</ins>' in page
    page = clients("head").get(f"/knowledge/{article.pk}/?old=1&new=1").content.decode()
    assert zh("No changes") in page
    # an agent sees only the approved version: no diff against the pending one
    page = clients("agent").get(f"/knowledge/{article.pk}/?new=2").content.decode()
    assert "新的说法" not in page
