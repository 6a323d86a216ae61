"""Log in through a real browser as each demo role: Chinese by default, the role's home page with
numbers from the database, wrong password, log out, and switching to English."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser

PASSWORD = "kefu-demo-2026"  # published demo password (API.md "Demo data")

# demo user → the home page (data-testid="home-<role>") of the highest role they hold
ROLE_OF = {
    "agent1": "agent",
    "lead1": "lead",
    "qa1": "qa",
    "head1": "head",
    "director1": "director",
    "admin": "admin",
}


def expect(locator_or_page):
    from playwright.sync_api import expect as pw_expect

    return pw_expect(locator_or_page)


def url_path(path: str):
    """A regex matching the live server's URL with exactly this path (and any query string)."""
    return re.compile(r"^https?://[^/]+" + re.escape(path) + r"(\?.*)?$")


def stat_value(page, testid: str) -> str:
    card = page.locator(f'[data-testid="{testid}"]')
    expect(card).to_be_visible()
    return card.locator(".stat-value").inner_text().strip()


def log_in(page, username: str, password: str = PASSWORD) -> None:
    page.goto("/login/")
    page.fill('input[name="username"]', username)
    page.fill('input[name="password"]', password)
    # Wait for the whole next page (deferred scripts included: the account dropdown needs them).
    with page.expect_navigation(wait_until="load"):
        page.click('[data-testid="login-submit"]')


def log_out(page) -> None:
    page.wait_for_load_state("load")
    page.locator('[data-bs-toggle="dropdown"]:has([data-testid="current-user"])').click()
    logout = page.locator('[data-testid="logout"]')
    expect(logout).to_be_visible()
    with page.expect_navigation(wait_until="load"):
        logout.click()


def test_login_page_is_chinese_by_default(page):
    """Accept-Language (en-US here) is ignored: the organisation default, Chinese, is shown."""
    response = page.goto("/login/")
    assert response is not None and response.status == 200
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator('[data-testid="login-submit"]')).to_have_text("登录")
    expect(page.locator('input[name="username"]')).to_be_visible()
    expect(page.locator('input[name="password"]')).to_be_visible()


@pytest.mark.parametrize("username", list(ROLE_OF))
def test_login_lands_on_role_home_with_real_numbers(page, username):
    from kefu.org.demo import PEOPLE
    from kefu.org.models import Shop, User
    from kefu.org.scope import scope_for

    role = ROLE_OF[username]
    page.goto("/login/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    log_in(page, username)

    expect(page).to_have_url(url_path("/"))
    expect(page.locator(f'[data-testid="home-{role}"]')).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    display_name = next(name for user, name, _roles, _team in PEOPLE if user == username)
    expect(page.locator('[data-testid="current-user"]')).to_have_text(display_name)

    # Both demo teams serve all three shops, and everybody's scope covers them.
    shops = stat_value(page, "card-shops")
    assert shops.isdigit(), f"card-shops shows {shops!r}, not a number"
    assert int(shops) == Shop.objects.count() == 3

    user = User.objects.get(username=username)
    if role == "agent":
        expect(page.locator('[data-testid="card-team"] .stat-value')).to_have_text(str(user.team))
    else:
        people = stat_value(page, "card-people")
        assert people.isdigit(), f"card-people shows {people!r}, not a number"
        assert int(people) == scope_for(user).people().count() > 0


def test_wrong_password_shows_error_and_stays_on_login(page):
    log_in(page, "agent1", "not-the-password")
    expect(page.locator('[data-testid="form-errors"]')).to_be_visible()
    expect(page).to_have_url(url_path("/login/"))
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    assert page.locator('[data-testid="current-user"]').count() == 0
    # Still logged out: the home page sends the browser back to the login page.
    page.goto("/")
    expect(page).to_have_url(url_path("/login/"))


def test_logout_returns_to_login(page):
    log_in(page, "lead1")
    expect(page.locator('[data-testid="home-lead"]')).to_be_visible()
    log_out(page)
    expect(page).to_have_url(url_path("/login/"))
    expect(page.locator('[data-testid="login-submit"]')).to_be_visible()
    assert page.locator('[data-testid="current-user"]').count() == 0
    page.goto("/")
    expect(page).to_have_url(url_path("/login/"))


def test_switch_to_english_persists(page):
    from kefu.org.models import User

    log_in(page, "agent1")
    expect(page.locator('[data-testid="home-agent"]')).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")

    with page.expect_navigation(wait_until="load"):
        page.click('[data-testid="lang-en"]')
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator('[data-testid="home-agent"]')).to_be_visible()
    expect(page.locator('[data-testid="login-submit"]')).to_have_count(0)
    expect(page.locator(".page-title")).to_contain_text("Agent workspace")

    page.reload()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert User.objects.get(username="agent1").language == "en"

    # Saved on the person: still English after logging out and in again.
    log_out(page)
    expect(page).to_have_url(url_path("/login/"))
    log_in(page, "agent1")
    expect(page.locator('[data-testid="home-agent"]')).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")

    # And back to Chinese.
    with page.expect_navigation(wait_until="load"):
        page.click('[data-testid="lang-zh-hans"]')
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    page.reload()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
