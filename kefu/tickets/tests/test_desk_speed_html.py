"""The desk's rows and filter controls written in Python (kefu.tickets.desk_html, issue 13) are the markup the
templates wrote: each row byte for byte equal to the template row it replaced (below, as it was in desk.html),
the filter controls equal (as HTML) to Django's rendering through components/form.html, and the desk reads
its rows with the columns they print only: no query per row."""

import datetime as dt

import pytest
from django.db import connection
from django.template import engines
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.html import parse_html
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kefu.tickets import desk_html, selectors, views_desk
from kefu.tickets.forms import TicketFilterForm
from kefu.tickets.models import Ticket

pytestmark = pytest.mark.django_db

# desk.html's partials and row markup before desk_html (commit daf3ed2), the reference
COUNTDOWN = (
    '{% if t.deadline %}<span class="badge {{ t.deadline.css }} text-nowrap" data-countdown data-testid="countdown" '
    'data-due="{{ t.deadline.due_iso }}" data-warn="{{ t.deadline.warn_iso }}" data-state="{{ t.deadline.state }}"'
    '{% if t.deadline.paused %} data-paused="1"{% endif %} title="{{ t.deadline.title }}"><i class="ti '
    '{% if t.deadline.paused %}ti-player-pause{% else %}ti-clock{% endif %} me-1"></i>{% if t.deadline.first %}'
    '<span class="me-1">{{ first_reply_word }}</span>{% endif %}<span data-countdown-text>{% if t.deadline.paused %}'
    '{{ paused_word }}{% else %}{{ t.deadline.text }}{% endif %}</span></span>{% elif t.resolved_at %}'
    '{% if t.late %}<span class="badge bg-red-lt">{% translate "resolved late" %}</span>{% else %}'
    '<span class="badge bg-green-lt">{% translate "resolved on time" %}</span>{% endif %}{% endif %}')
BADGES = (
    '<span class="badge {{ t.status_css }}" data-testid="status">{{ t.status_label }}{% if t.waiting_label %} · '
    '{{ t.waiting_label }}{% endif %}</span>\n<span class="badge {{ t.priority_css }}">{{ t.priority_label }}</span>'
    '{% if t.level_label %}\n<span class="badge bg-red-lt" title="{{ level_word }}"><i class="ti '
    'ti-arrow-big-up-lines me-1"></i>{{ t.level_label }}</span>{% endif %}{% if t.supervised %}\n'
    '<span class="badge bg-orange-lt"><i class="ti ti-eye me-1"></i>{{ supervised_word }}</span>{% endif %}')
LIST_ROW = """{% load i18n %}<tr>
            <td class="cell-ticket"><a href="{{ t.url }}" class="fw-medium">{{ t.title|truncatechars:40 }}</a>
              <div class="small text-secondary">{{ t.number }} · {{ t.type_label }} · {{ t.shop.name }}</div>
              <div class="small text-secondary">{{ t.created_text }} · {{ t.channel_label }}</div></td>
            <td class="cell-customer">{% if t.customer %}<i class="ti ti-user d-md-none me-1 text-secondary"></i>{{ t.customer.name }}{% else %}<span class="text-secondary">{{ t.shown_phone|default:"—" }}</span>{% endif %}</td>
            <td class="cell-state"><div class="d-flex flex-wrap gap-1">COUNTDOWN BADGES</div></td>
            {% if lead or searching %}<td data-testid="owner" data-label="{{ owner_word }}">{% if t.owner %}{{ t.owner }}{% else %}<span class="badge bg-secondary-lt">{{ queue_word }}</span>{% endif %}</td>{% endif %}
          </tr>""".replace("COUNTDOWN", COUNTDOWN).replace("BADGES", BADGES)  # noqa: E501 - as it was
QUEUE_ROW = """{% load i18n %}<div class="list-group-item">
          <div class="d-flex align-items-start gap-2">
            <div class="flex-fill" style="min-width:0">
              <a href="{{ t.url }}" class="fw-medium d-block text-truncate">{{ t.title }}</a>
              <div class="small text-secondary">{{ t.number }} · {{ t.shop.name }} · {{ t.channel_label }}</div>
              <div class="mt-1 d-flex flex-wrap gap-1">BADGES COUNTDOWN</div>
            </div>
            <form method="post" action="{{ t.url }}claim/"><input type="hidden" name="csrfmiddlewaretoken" value="{{ csrf_token }}">
              <button class="btn btn-sm btn-primary" data-testid="claim-{{ t.pk }}"><i class="ti ti-hand-grab me-1"></i>{{ claim_word }}</button>
            </form>
          </div>
        </div>""".replace("COUNTDOWN", COUNTDOWN).replace("BADGES", BADGES)  # noqa: E501 - as it was


def _old_words() -> dict[str, str]:
    return {"owner_word": _("Owner"), "queue_word": _("Queue"), "claim_word": _("Claim"),
            "first_reply_word": _("1st reply"), "paused_word": _("paused"), "level_word": _("Escalation level"),
            "supervised_word": _("Supervised")}


@pytest.fixture
def varied(make_ticket, make_customer, demo):
    """Tickets in every state a row shows: customer or phone, waiting, paused, escalated, supervised, first
    reply pending, resolved on time and late, unassigned, a long title with markup in it."""
    now = timezone.now()
    customer = make_customer(phones=["13800138000"])
    tickets = [
        make_ticket(title="普通咨询"),
        make_ticket(title="客户<b>\"加急\"</b> & 'x' " + "很长的标题" * 10, customer_id=customer.pk),
        make_ticket(title="来电", caller_phone="13912345678"),
        make_ticket(actor="admin", channel="web", assign_automatically=False, title="队列里的"),
        make_ticket(title="已升级", priority="urgent"),
        make_ticket(title="等待客户"),
        make_ticket(title="已解决按时"),
        make_ticket(title="已解决超时"),
    ]
    ids = [t.pk for t in tickets]
    Ticket.objects.filter(pk=ids[4]).update(escalation_level="lead", supervised=True, first_responded_at=now)
    Ticket.objects.filter(pk=ids[5]).update(status="waiting", waiting_on="customer", paused_at=now,
                                            first_responded_at=now)
    Ticket.objects.filter(pk=ids[6]).update(status="resolved", resolved_at=now, resolution_due=now + dt.timedelta(hours=1))
    Ticket.objects.filter(pk=ids[7]).update(status="closed", resolved_at=now, resolution_due=now - dt.timedelta(hours=1))
    return ids


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("role", ["agent", "lead"])
def test_desk_rows_equal_the_template_rows_they_replaced(demo, varied, language, role):
    request = RequestFactory().get("/tickets/")
    request.user = demo.users["agent1" if role == "agent" else "lead1"]
    engine = engines["django"]
    with translation.override(language):
        rows = views_desk.decorate(request, list(views_desk.desk_rows(Ticket.objects.filter(pk__in=varied))))
        assert len(rows) == len(varied)
        words, old = desk_html.words(), _old_words()
        for t in rows:
            for owner_column in (False, True):
                expected = engine.from_string(LIST_ROW).render({"t": t, "lead": owner_column, **old})
                assert desk_html.list_row(t, words, owner_column=owner_column) == expected
            expected = engine.from_string(QUEUE_ROW).render({"t": t, "csrf_token": "tok<&>", **old})
            assert desk_html.queue_row(t, words, csrf_token="tok<&>") == expected


FILTERS = [None, {"status": "open"}, {"status": "", "priority": "high", "type": "complaint", "q": "退款"},
           {"status": "bogus", "priority": "nope", "q": "<b>\"x\" & 'y'</b>"},
           {"shop": "tmall", "sla_state": "breached", "owner": "agent1"}, {"owner": "nobody", "shop": "zz"},
           {"page": "2"}]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("lead", [False, True])
@pytest.mark.parametrize("data", FILTERS)
def test_filter_controls_equal_djangos_rendering(demo, language, lead, data):
    from kefu.org.selectors import people_in_scope, shops_in_scope

    user = demo.users["lead1" if lead else "agent1"]
    with translation.override(language):
        form = TicketFilterForm(data, shops=shops_in_scope(user), people=people_in_scope(user) if lead else None,
                                initial={"status": "open"})
        form.is_valid()
        fast = desk_html.form_controls(form, inline=True)
        django = render_to_string("components/form.html", {"form": form, "inline": True})
    assert parse_html(fast) == parse_html(django)
    assert ('aria-invalid="true"' in fast) == bool(form.errors)


def test_form_controls_leave_other_widgets_to_django(demo):
    """A widget desk_html does not write itself (here a check box and a textarea) is Django's rendering."""
    from django import forms

    class Other(forms.Form):
        note = forms.CharField(widget=forms.Textarea, help_text="<help>")
        urgent = forms.BooleanField(required=False)

    form = Other({"note": ""})
    form.is_valid()
    assert parse_html(desk_html.form_controls(form)) == parse_html(
        render_to_string("components/form.html", {"form": form}))


def _desk_queries(client, path="/tickets/") -> int:
    client.get(path)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("role", ["agent", "lead"])
def test_desk_rows_read_only_the_printed_columns_without_a_query_per_row(clients, make_ticket, make_customer,
                                                                         varied, role):
    """The rows are read with desk_rows (.only()): a column a row printed but did not read would cost one
    query per row; 8 varied rows and 38 cost the same number of queries."""
    few = _desk_queries(clients(role))
    customer = make_customer(name="李先生", phones=["13700000000"])
    for i in range(15):
        make_ticket(title=f"多{i}", customer_id=customer.pk)
        make_ticket(actor="admin", channel="web", assign_automatically=False, title=f"队列{i}")
    assert _desk_queries(clients(role)) == few
    assert _desk_queries(clients(role), "/tickets/?status=&q=多") == _desk_queries(clients(role), "/tickets/?status=&q=普通")


def test_desk_list_and_queue_read_the_same_rows_as_before(demo, varied):
    """desk_rows reads what selectors.for_list reads, minus the columns no row prints."""
    full = {t.pk: t for t in selectors.for_list(Ticket.objects.filter(pk__in=varied))}
    for t in views_desk.desk_rows(Ticket.objects.filter(pk__in=varied)):
        for field in views_desk.DESK_FIELDS:
            *path, name = field.split("__")
            a, b = t, full[t.pk]
            for step in path:
                a, b = getattr(a, step), getattr(b, step)
            assert getattr(a, name, None) == getattr(b, name, None), field
