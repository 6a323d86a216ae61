"""The person's schedule as iCalendar text (RFC 5545) for the phone's calendar: one VEVENT per published
shift from ``PAST_DAYS`` ago to ``FUTURE_DAYS`` ahead; a shift freed by approved leave stays in the feed as
CANCELLED (so a phone that already has it removes it). Times in UTC; the UID is stable per shift."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kefu.workforce.models import CalendarFeed, Shift

PAST_DAYS = 14
FUTURE_DAYS = 56
LINE_OCTETS = 75


def feed_for_token(token: str) -> CalendarFeed | None:
    if not token or len(token) > 64:
        return None
    return CalendarFeed.objects.select_related("person").filter(token=token, person__is_active=True).first()


def feed_of(user) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(person=user).first()


def feed_shifts(person, *, now: dt.datetime | None = None):
    now = now or timezone.now()
    return (Shift.objects.filter(person=person, status=Shift.Status.PUBLISHED,
                                 end_at__gt=now - dt.timedelta(days=PAST_DAYS),
                                 start_at__lt=now + dt.timedelta(days=FUTURE_DAYS))
            .select_related("team", "shift_type").order_by("start_at", "id"))


def escape_text(value: str) -> str:
    """A TEXT value (RFC 5545 §3.3.11): backslash, semicolon, comma and newlines escaped."""
    return (str(value).replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


def fold(line: str) -> str:
    """Fold a content line at 75 octets (RFC 5545 §3.1), never inside a UTF-8 character."""
    parts: list[str] = []
    current, size, limit = [], 0, LINE_OCTETS
    for char in line:
        n = len(char.encode("utf-8"))
        if size + n > limit:
            parts.append("".join(current))
            current, size, limit = [], 0, LINE_OCTETS - 1  # continuation lines begin with a space
        current.append(char)
        size += n
    parts.append("".join(current))
    return "\r\n ".join(parts)


def _utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


UID_DOMAIN = "kefu.workforce"


def shift_uid(shift: Shift) -> str:
    """The same for a shift in every download, whatever address the feed was fetched from."""
    return f"shift-{shift.pk}@{UID_DOMAIN}"


def _event(shift: Shift, *, stamp: str) -> list[str]:
    name = shift.shift_type.name if shift.shift_type_id else shift.get_kind_display()
    summary = f"{name} · {shift.team.name}" if shift.team_id else name
    lines = [
        "BEGIN:VEVENT",
        f"UID:{shift_uid(shift)}",
        f"DTSTAMP:{stamp}",
        f"DTSTART:{_utc(shift.start_at)}",
        f"DTEND:{_utc(shift.end_at)}",
    ]
    if shift.on_leave:
        cancelled = _("%(shift)s (on leave)") % {"shift": summary}
        lines += [f"SUMMARY:{escape_text(cancelled)}", "STATUS:CANCELLED"]
    else:
        lines += [f"SUMMARY:{escape_text(summary)}", "STATUS:CONFIRMED"]
    if shift.note:
        lines.append(f"DESCRIPTION:{escape_text(shift.note)}")
    lines += ["TRANSP:OPAQUE", "END:VEVENT"]
    return lines


def calendar_text(feed: CalendarFeed, *, now: dt.datetime | None = None) -> str:
    """The VCALENDAR of ``feed``'s person, in their interface language, lines folded, CRLF line ends."""
    from django.conf import settings

    now = now or timezone.now()
    person = feed.person
    stamp = _utc(now)
    with translation.override(getattr(person, "language", "") or settings.LANGUAGE_CODE):
        lines = [
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            "PRODID:-//kefu//workforce schedule//ZH",
            "CALSCALE:GREGORIAN",
            "METHOD:PUBLISH",
            "X-WR-CALNAME:" + escape_text(f"{_('My schedule')} · {person}"),
            "X-WR-TIMEZONE:UTC",
        ]
        for shift in feed_shifts(person, now=now):
            lines += _event(shift, stamp=stamp)
        lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
