"""The /rules/ page: grouped Tabler cards, inline HTMX editing for administrators."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from kefu.rules.models import RuleValue
from kefu.rules.selectors import get_rule

CADENCE_B = "customers.cadence_days.B"
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _english(users):
    for user in users.values():
        user.language = "en"
        user.save(update_fields=["language"])
    with translation.override("en"):
        yield


def _edit_url(key=CADENCE_B):
    return reverse("rules:edit", args=[key])


def test_anonymous_is_sent_to_login(client_as):
    response = client_as(None).get(reverse("rules:list"))
    assert response.status_code == 302
    assert "login" in response["Location"]


@pytest.mark.parametrize("role", ["agent", "lead", "qa"])
def test_page_is_for_heads_directors_and_admins(client_as, role):
    assert client_as(role).get(reverse("rules:list")).status_code == 403


def test_head_sees_settings_grouped_without_edit_forms(client_as):
    response = client_as("head").get(reverse("rules:list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="card' in html and "table table-vcenter card-table" in html
    for group in ("customers", "tickets", "workforce", "quality", "performance", "calendar", "security"):
        assert f'data-testid="rules-group-{group}"' in html
    assert "R-CUS-4" in html and "R-WFM-4" in html
    assert "Follow-up cadence, grade B (days)" in html
    assert 'data-testid="rule-form"' not in html


def test_admin_sees_an_inline_htmx_form_per_row(client_as):
    html = client_as("admin").get(reverse("rules:list")).content.decode()
    assert html.count('data-testid="rule-form"') == html.count('data-testid="rule-row"')
    assert f'hx-post="{_edit_url()}"' in html
    assert 'hx-target="closest tr"' in html and 'hx-swap="outerHTML"' in html


def test_htmx_save_returns_the_row_with_the_new_value(client_as):
    response = client_as("admin").post(_edit_url(), {"value": "3", "version": "0", "action": "save"}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode().strip()
    assert html.startswith("<tr") and html.endswith("</tr>")
    assert 'data-testid="rule-saved"' in html
    assert "3 days" in html
    assert 'name="version" value="1"' in html
    assert get_rule(CADENCE_B) == 3


def test_htmx_refusal_returns_the_row_with_the_field_error_and_changes_nothing(client_as):
    response = client_as("admin").post(_edit_url(), {"value": "-1", "version": "0"}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-field="value"' in html
    assert "Must be at least 1." in html
    assert "is-invalid" in html
    assert not RuleValue.objects.exists()


def test_htmx_stale_version_is_shown_on_the_row(client_as):
    admin = client_as("admin")
    admin.post(_edit_url(), {"value": "3", "version": "0"}, **HTMX)
    html = admin.post(_edit_url(), {"value": "4", "version": "0"}, **HTMX).content.decode()
    assert "changed by someone else" in html
    assert get_rule(CADENCE_B) == 3


def test_roles_are_edited_with_checkboxes(client_as):
    url = _edit_url("security.phone_full_view_roles")
    html = client_as("admin").get(reverse("rules:list")).content.decode()
    assert 'type="checkbox" name="value" value="director"' in html
    response = client_as("admin").post(url, {"value": ["director", "admin"], "version": "0"}, **HTMX)
    assert response.status_code == 200
    assert get_rule("security.phone_full_view_roles") == ["director", "admin"]


def test_plain_post_redirects_with_a_message(client_as):
    response = client_as("admin").post(_edit_url(), {"value": "14", "version": "0"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("rules:list")
    assert "was saved" in response.content.decode()
    assert get_rule(CADENCE_B) == 14


def test_plain_post_refusal_shows_the_page_with_the_error(client_as):
    response = client_as("admin").post(_edit_url(), {"value": "0", "version": "0"})
    assert response.status_code == 422
    html = response.content.decode()
    assert "Must be at least 1." in html
    assert "was not changed" in html
    assert not RuleValue.objects.exists()


def test_reset_button(client_as):
    admin = client_as("admin")
    admin.post(_edit_url(), {"value": "3", "version": "0"}, **HTMX)
    html = admin.post(_edit_url(), {"value": "3", "version": "1", "action": "reset"}, **HTMX).content.decode()
    assert "Back to the default." in html
    assert get_rule(CADENCE_B) == 7


@pytest.mark.parametrize("role", ["agent", "head", "director"])
def test_non_admins_cannot_post(client_as, role):
    response = client_as(role).post(_edit_url(), {"value": "3", "version": "0"}, **HTMX)
    assert response.status_code == 403
    assert not RuleValue.objects.exists()


def test_unknown_key_is_404(client_as):
    assert client_as("admin").post(_edit_url("customers.nope"), {"value": "1", "version": "0"}).status_code == 404


def test_get_on_edit_is_not_allowed(client_as):
    assert client_as("admin").get(_edit_url()).status_code == 405
