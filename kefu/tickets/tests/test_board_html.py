"""The lead board's cards are built by ``views_board.cards_html`` with f-strings and ``html.escape`` (issue 13,
session 8): byte for byte the HTML that ``format_html`` built before (the reference below is that code, kept as
it was), for every kind of card — badges, supervising, unassigned, escalation, countdowns, pauses, hostile
text — in both languages, for a lead (no supervising button) and a head (with it)."""

import datetime as dt

import pytest
from django.conf import settings
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from kefu.tickets import sla, views_board
from kefu.tickets.choices import Severity
from kefu.tickets.models import Ticket
from kefu.tickets.views_board import _words
from kefu.tickets.views_desk import _labels, format_span

pytestmark = pytest.mark.django_db

HOSTILE = """<b>"&'</b> 客服 {x} %(t)s"""


# -- the cards as format_html built them (views_board.py before session 8) ---------------------------------

def reference_decorate(tickets, now: dt.datetime, labels: dict) -> None:
    """A card's texts, links and labels computed once here (:func:`card_html` prints them)."""
    base = reverse("tickets:detail", args=[0])[:-2]  # "/tickets/"
    board = reverse("tickets:board")
    for t in tickets:
        t.deadline = sla.next_deadline(t)
        t.overdue = t.deadline is not None and t.deadline <= now
        t.deadline_kind = "first" if t.first_responded_at is None else "resolution"
        if t.deadline is not None:
            span = format_span((t.deadline - now).total_seconds())
            t.deadline_text = (labels["overdue"] if t.overdue else labels["left"]) % {"t": span}
            t.deadline_title = f"{timezone.localtime(t.deadline):%Y-%m-%d %H:%M}"
        t.action_text = labels["action"] % {"t": format_span((now - t.last_action_at).total_seconds())}
        t.action_title = f"{timezone.localtime(t.last_action_at):%Y-%m-%d %H:%M}"
        t.url = f"{base}{t.pk}/"
        t.board_url = f"{board}{t.pk}/"
        t.status_label = labels["status"].get(t.status, t.status)
        t.priority_label = labels["priority"].get(t.priority, t.priority)
        t.type_label = labels["type"].get(t.type, t.type)
        t.severity_label = labels["severity"].get(t.severity, "") if t.severity and t.severity != "general" else ""
        t.level_label = labels["level"].get(t.escalation_level, "") if t.escalation_level != "agent" else ""


_PRIORITY_BADGE = {"urgent": "bg-red-lt", "high": "bg-orange-lt"}


def reference_card_html(t, words: dict, can_supervise: bool) -> str:
    """One board card (a decorated ticket, :func:`_decorate`) as HTML: built here in one pass instead of a
    template include per card (the board's rendering was most of its Python time). Every value is escaped
    by ``format_html``."""
    # the one change to the code as it was: badges = "" (a plain str) made "" + format_html(…) a plain str, and the
    # card's format_html escaped the badges' markup (printed as text on the board since session 7)
    badges = mark_safe("")  # noqa: S308 - empty
    if t.priority in _PRIORITY_BADGE:
        badges += format_html(' <span class="badge {} ms-1">{}</span>', _PRIORITY_BADGE[t.priority], t.priority_label)
    if t.type == "complaint":
        badges += format_html(' <span class="badge bg-pink-lt ms-1">{}{}</span>', t.type_label,
                              f" · {t.severity_label}" if t.severity_label else "")
    if can_supervise:
        on = bool(t.supervised)
        supervise = format_html(
            '<button type="button" class="btn btn-sm btn-icon {}" hx-post="{}supervise/" hx-vals=\'{{"on": "{}"}}\' '
            'hx-target="#board-columns" hx-swap="outerHTML" title="{}" aria-pressed="{}" data-testid="supervise-{}">'
            '<i class="ti ti-eye"></i></button>',
            "btn-blue" if on else "btn-ghost-secondary", t.board_url, "0" if on else "1",
            words["unsupervise"] if on else words["supervise"], "true" if on else "false", t.pk)
    elif t.supervised:
        supervise = format_html('<span class="badge bg-blue-lt" title="{}"><i class="ti ti-eye"></i></span>',
                                words["supervised"])
    else:
        supervise = ""
    owner = format_html("{}", t.owner) if t.owner_id else format_html('<span class="text-orange">{}</span>',
                                                                       words["unassigned"])
    level = format_html(' <span class="text-purple"><i class="ti ti-arrow-big-up-lines"></i> {}</span>',
                        t.level_label) if t.level_label else ""
    deadline = ""
    if t.deadline:
        tone = "bg-red text-red-fg" if t.overdue else "bg-orange-lt" if t.sla_state == "warning" else "bg-secondary-lt"
        deadline = format_html(
            '<span class="badge {}" data-testid="sla-countdown" title="{}"><i class="ti {}"></i> {} · {}</span> ',
            tone, t.deadline_title, "ti-alarm" if t.overdue else "ti-clock",
            words["first"] if t.deadline_kind == "first" else words["resolution"], t.deadline_text)
    paused = format_html('<span class="badge bg-secondary-lt"><i class="ti ti-player-pause"></i> {}</span> ',
                         words["paused"]) if t.paused_at else ""
    return format_html(
        '<div class="list-group-item board-card" data-testid="card-{pk}">'
        '<div class="d-flex align-items-start gap-2"><div class="flex-fill" style="min-width: 0">'
        '<a href="{url}" class="fw-bold text-reset">{number}</a>{badges}'
        '<div class="text-truncate" title="{title}"><a href="{url}" class="text-reset">{title}</a></div></div>'
        "{supervise}</div>"
        '<div class="small text-secondary mt-1 d-flex flex-wrap gap-2"><span><i class="ti ti-user"></i> {owner}</span> '
        '<span><i class="ti ti-building-store"></i> {shop}</span> <span>{status}</span>{level}</div>'
        '<div class="small mt-1 d-flex flex-wrap gap-2">{deadline}{paused}'
        '<span class="text-secondary" title="{action_title}">{action_text}</span></div>'
        '<div class="btn-list mt-2">'
        '<button type="button" class="btn btn-sm" hx-post="{board_url}remind/" hx-target="#board-columns" '
        'hx-swap="outerHTML"{disabled} data-testid="remind-{pk}"><i class="ti ti-bell-ringing me-1"></i>{remind}</button> '
        '<button type="button" class="btn btn-sm" data-bs-toggle="modal" data-bs-target="#board-assign" '
        "data-testid=\"assign-{pk}\" @click=\"assignUrl = '{board_url}assign/'; assignNumber = '{number}'; "
        "assignOwner = '{owner_id}'\"><i class=\"ti ti-user-share me-1\"></i>{assign}</button></div></div>",
        pk=t.pk, url=t.url, number=t.number, badges=badges, title=t.title, supervise=supervise, owner=owner,
        shop=t.shop.name, status=t.status_label, level=level, deadline=deadline, paused=paused,
        action_title=t.action_title, action_text=t.action_text, board_url=t.board_url,
        disabled="" if t.owner_id else mark_safe(" disabled"),  # noqa: S308 - a constant
        remind=words["remind"], assign=words["assign"], owner_id=t.owner_id or "")


def reference_cards(tickets, now) -> str:
    labels = {**_labels(), "severity": {code: str(label) for code, label in Severity.choices},
              "overdue": _tr("overdue by %(t)s"), "left": _tr("%(t)s left"), "action": _tr("last action %(t)s ago")}
    reference_decorate(tickets, now, labels)
    return "".join(reference_card_html(t, _words(), _CAN_SUPERVISE[0]) for t in tickets)


_CAN_SUPERVISE = [False]


def _tr(text):
    return translation.gettext(text)


# -- the tickets: one of each kind of card ------------------------------------------------------------------


@pytest.fixture
def cards(demo, make_ticket):
    now = timezone.now()
    demo.shops["tmall"].__class__.objects.filter(pk=demo.shops["tmall"].pk).update(name="天猫 <旗舰> & \"店\"")
    demo.users["agent2"].__class__.objects.filter(pk=demo.users["agent2"].pk).update(display_name=HOSTILE)
    kinds = [
        {"priority": "urgent", "type": "complaint", "severity": "serious"},
        {"priority": "high", "type": "complaint", "severity": "general"},
        {"priority": "low", "type": "complaint", "severity": ""},
        {"priority": "normal", "type": "query"},
    ]
    states = [
        {"sla_state": "breached", "resolution_due": now - dt.timedelta(hours=5, minutes=7), "first_responded_at": now},
        {"sla_state": "warning", "resolution_due": now + dt.timedelta(minutes=3), "first_responded_at": None,
             "first_response_due": now + dt.timedelta(days=2, hours=1)},
        {"sla_state": "warning", "first_response_due": now + dt.timedelta(minutes=40), "first_responded_at": None,
             "resolution_due": now + dt.timedelta(days=3)},
        {"sla_state": "breached", "first_response_due": now - dt.timedelta(days=4, hours=2), "first_responded_at": None,
             "resolution_due": None},
        {"sla_state": "ok", "resolution_due": None, "first_response_due": None, "first_responded_at": now},
    ]
    tickets = []
    i = 0
    for kind in kinds:
        for state in states:
            for owner in ("agent1", "agent2", None):
                t = make_ticket(actor="admin" if owner is None else owner, channel="web" if owner is None else "hotline",
                                assign_automatically=owner is not None, title=HOSTILE if i % 2 else f"卡片{i}",
                                **{k: v for k, v in kind.items() if k != "severity"})
                Ticket.objects.filter(pk=t.pk).update(
                    **state, severity=kind.get("severity", ""), supervised=i % 3 == 0,
                    escalation_level=["agent", "lead", "head", "director"][i % 4],
                    paused_at=now - dt.timedelta(minutes=i) if i % 5 == 0 else None,
                    last_action_at=now - dt.timedelta(hours=30 + i, minutes=i))
                tickets.append(t.pk)
                i += 1
    return tickets


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("username", ["lead1", "head1"])
def test_cards_are_byte_for_byte_what_format_html_built(demo, cards, language, username):
    request = RequestFactory().get(reverse("tickets:board"))
    request.user = demo.users[username]
    seen = 0
    with translation.override(language):
        for column in ("stuck", "sla", "escalated", "supervised"):
            context = views_board._board_context(request, column=column)
            col = context["columns"][0]
            _CAN_SUPERVISE[0] = context["can_supervise"]
            tickets = list(col["tickets"])
            assert str(col["cards"]) == reference_cards(tickets, context["now"]), column
            seen += len(tickets)
    assert seen > 40
    assert _CAN_SUPERVISE[0] is (username == "head1")


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_board_page_prints_the_cards(demo, clients, cards, language):
    client = clients("head")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    html = client.get(reverse("tickets:board")).content.decode()
    assert html.count('data-testid="card-') == 4 * 10
    assert ("督办" if language == "zh-hans" else "Stop supervising") in html
    assert "天猫 &lt;旗舰&gt; &amp; &quot;店&quot;" in html and "&lt;b&gt;&quot;&amp;&#x27;&lt;/b&gt;" in html


def test_priority_and_complaint_badges_are_html_not_text(demo, clients, cards):
    html = clients("lead").get(reverse("tickets:board")).content.decode()
    assert '<span class="badge bg-red-lt ms-1">紧急</span>' in html
    assert '<span class="badge bg-pink-lt ms-1">投诉 · 严重</span>' in html
    assert "&lt;span class=&quot;badge" not in html
