"""R-TIC-9 in a real browser: the reply picker fragment, embedded next to a textarea, searches in
Chinese and inserts an approved reply at the cursor, counting the use. Skipped without Chromium
(tests/browser/conftest.py)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser




def test_r_tic_9_picker_inserts_an_approved_reply_into_the_textarea(page, login):
    from playwright.sync_api import expect

    from kefu.knowledge.demo import seed_demo_knowledge
    from kefu.knowledge.models import Article

    seed_demo_knowledge()
    login(page, "agent1")
    page.goto("/knowledge/")
    # Embed the picker as the ticket page would (usage documented in knowledge/picker.html).
    page.evaluate("""() => {
        const area = document.createElement("textarea"); area.id = "reply-body"; area.value = "您好！";
        const box = document.createElement("div");
        box.setAttribute("hx-get", "/knowledge/picker/?target=reply-body"); box.setAttribute("hx-trigger", "load");
        document.querySelector(".page-body").prepend(area, box); htmx.process(box);
    }""")
    picker = page.locator("[data-testid=kb-picker]")
    expect(picker).to_be_visible()
    picker.locator("input[name=q]").fill("退款")
    first = picker.locator("[data-testid=picker-item]").first
    expect(first).to_contain_text("退款")
    expect(picker.locator("[data-testid=picker-item]", has_text="查询物流进度")).to_have_count(0)
    title = first.locator(".fw-bold").inner_text().split(" ")[0]
    article = Article.objects.get(title=title)
    with page.expect_response(f"**/knowledge/{article.pk}/use/"):
        first.locator("[data-testid=picker-insert]").click()
    value = page.locator("#reply-body").input_value()
    assert value.startswith("您好！\n") and article.current_version.body in value
    article.refresh_from_db()
    assert article.use_count == 1



def test_r_tic_9_head_approves_and_rejects_in_the_queue_without_reloading(page, login):
    from playwright.sync_api import expect

    from kefu.knowledge import services
    from kefu.knowledge.demo import seed_demo_knowledge
    from kefu.knowledge.models import ArticleVersion
    from kefu.org.models import User

    seed_demo_knowledge()
    login(page, "head1")
    page.goto("/knowledge/approvals/")
    page.evaluate("window.__no_reload_marker = 42")
    rows = page.locator("[data-testid=approval-row]")
    expect(rows).to_have_count(2)
    rows.nth(0).locator("[data-testid=approve]").click()
    expect(rows.nth(0).locator("[data-testid=outcome]")).to_be_visible()
    # the second proposal is replaced meanwhile by someone else: the row shows why (409), nothing changes
    pending = ArticleVersion.objects.filter(status="pending").select_related("article").get()
    services.propose_version(actor=User.objects.get(username="lead2"), article_id=pending.article_id,
                             version=pending.article.version, title=pending.title, body=pending.body + "（改）")
    rows.nth(1).locator("[name=reason]").fill("措辞需要调整")
    rows.nth(1).locator("button.btn-outline-danger").click()
    expect(rows.nth(1).locator("[data-testid=form-errors]")).to_be_visible()
    assert page.evaluate("window.__no_reload_marker") == 42
    pending.refresh_from_db()
    assert pending.status == ArticleVersion.Status.SUPERSEDED
