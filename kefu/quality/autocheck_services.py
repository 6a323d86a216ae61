"""Automatic checks on every ticket (issue 11): run the check rules on a ticket's public replies and on its
resolution, keep its automatic score and flags; QA inspectors and heads edit the rules.

The tickets app fires ``kefu.core.hooks`` events on a public reply and on resolution; this app registers
``on_ticket_event`` for both at start-up (``QualityConfig.ready``), so the checks run right after the
reply's transaction commits — immediately, without the tickets app knowing of quality inspection. (A Huey job
over "tickets with new replies since the last run" would lag by its period and need a cursor; the hook does
not.) An internal note fires nothing. The checks themselves are pure functions in ``kefu.quality.checks``.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.audit.services import Action, entry, record, snapshot
from kefu.core.concurrency import bump_version, check_version
from kefu.core.errors import Errors, NotFound
from kefu.quality import access, checks
from kefu.quality.models import CheckFlag, CheckRule, TicketCheck
from kefu.rules.selectors import get_rule

log = logging.getLogger(__name__)
PHRASE_MAX = 50
PHRASES_MAX = 200
PHRASE_KINDS = (CheckRule.Kind.GREETING, CheckRule.Kind.CLOSING, CheckRule.Kind.FORBIDDEN)


RULES_CACHE = "quality-check-rules"


def _load_rules(_slot: int) -> dict[str, checks.Rule]:
    return {kind: checks.Rule(kind, weight, tuple(phrases or ()))
            for kind, weight, phrases in CheckRule.objects.filter(active=True).values_list("kind", "weight", "phrases")}


def active_rules() -> dict[str, checks.Rule]:
    """The checks in use, kept per process like the rule settings (``kefu.rules.cache``: a change made through
    the services below is seen by every process on its next check) — one query less on every reply."""
    from kefu.rules import cache

    return cache.overrides(0, _load_rules, namespace=RULES_CACHE)


def _rules_changed() -> None:
    from kefu.rules import cache

    cache.invalidate(0, namespace=RULES_CACHE)


def _standard_replies(ticket, centre_id: int) -> list[str]:
    """The texts in force of the approved standard replies for the ticket's topic: an article whose
    category (or its parent category) or title names one of the ticket's tags or its root cause."""
    from kefu.knowledge.models import Article

    topics = {str(t).strip() for t in (ticket.tags or []) if str(t).strip()}
    if ticket.root_cause:
        topics.add(ticket.root_cause)
    if not topics:
        return []
    return list(Article.objects.filter(
        Q(category__name__in=topics) | Q(category__parent__name__in=topics) | Q(title__in=topics),
        centre_id=centre_id, status=Article.Status.APPROVED, current_version__isnull=False,
    ).values_list("current_version__body", flat=True))


@dataclass(slots=True)
class _Read:
    """What one check run reads: the ticket's fields the checks use, its public replies (oldest first) and the
    result stored so far (``check_id`` None: never checked) with its flags (kind → detail)."""

    owner_id: int | None
    centre_id: int
    tags: list
    root_cause: str
    first_response_due: dt.datetime | None
    first_responded_at: dt.datetime | None
    resolution_due: dt.datetime | None
    resolved_at: dt.datetime | None
    replies: list[str]
    check_id: int | None = None
    score: int | None = None
    agent_id: int | None = None
    check_centre_id: int | None = None
    results: dict | None = None
    checked_at: dt.datetime | None = None
    flags: dict[str, str] = field(default_factory=dict)


def context_for(ticket, centre_id: int, rules) -> checks.Context:
    """The checks' input for ``ticket`` (a ``Ticket`` or a ``_Read`` of it), its replies read when not given."""
    replies = getattr(ticket, "replies", None)
    if replies is None:
        from kefu.tickets.choices import EventKind
        from kefu.tickets.models import TicketEvent

        replies = list(TicketEvent.objects.filter(ticket_id=ticket.pk, kind=EventKind.REPLY, public=True)
                       .order_by("at", "id").values_list("body", flat=True))
    resolved = ticket.resolved_at is not None
    standard = _standard_replies(ticket, centre_id) if resolved and checks.STANDARD_REPLY in rules else []
    return checks.Context(replies=replies, resolved=resolved, first_response_due=ticket.first_response_due,
                          first_responded_at=ticket.first_responded_at, resolution_due=ticket.resolution_due,
                          resolved_at=ticket.resolved_at, standard_replies=standard)


def _json(value):
    return json.loads(value) if isinstance(value, str | bytes) else value


@functools.cache
def _read_sql() -> str:
    from kefu.org.models import Shop
    from kefu.tickets.models import Ticket, TicketEvent

    return (  # our own table names only
        "SELECT t.owner_id, s.centre_id, t.tags, t.root_cause, t.first_response_due, t.first_responded_at, "  # noqa: S608
        "t.resolution_due, t.resolved_at, "
        f"ARRAY(SELECT e.body FROM {TicketEvent._meta.db_table} e WHERE e.ticket_id = t.id AND e.kind = %s "
        "AND e.public ORDER BY e.at, e.id), "
        "c.id, c.score, c.agent_id, c.centre_id, c.results, c.checked_at, "
        f"ARRAY(SELECT f.kind FROM {CheckFlag._meta.db_table} f WHERE f.check_result_id = c.id ORDER BY f.kind), "
        f"ARRAY(SELECT f.detail FROM {CheckFlag._meta.db_table} f WHERE f.check_result_id = c.id ORDER BY f.kind) "
        f"FROM {Ticket._meta.db_table} t JOIN {Shop._meta.db_table} s ON s.id = t.shop_id "
        f"LEFT JOIN {TicketCheck._meta.db_table} c ON c.ticket_id = t.id "
        "WHERE t.id = %s FOR UPDATE OF t SKIP LOCKED")


def _read_one_statement(ticket_id: int) -> _Read | None:
    """PostgreSQL: the ticket (locked), its public replies, its stored result and flags by one statement."""
    from kefu.tickets.choices import EventKind

    with connection.cursor() as cursor:
        cursor.execute(_read_sql(), [EventKind.REPLY.value, ticket_id])
        row = cursor.fetchone()
    if row is None:
        return None
    (owner_id, centre_id, tags, root_cause, fr_due, fr_at, res_due, res_at, replies,
     check_id, score, agent_id, check_centre_id, results, checked_at, kinds, details) = row
    return _Read(owner_id=owner_id, centre_id=centre_id, tags=_json(tags) or [], root_cause=root_cause or "",
                 first_response_due=fr_due, first_responded_at=fr_at, resolution_due=res_due, resolved_at=res_at,
                 replies=list(replies or []), check_id=check_id, score=score, agent_id=agent_id,
                 check_centre_id=check_centre_id, results=_json(results), checked_at=checked_at,
                 flags=dict(zip(kinds or [], details or [], strict=True)))


def _read_orm(ticket_id: int) -> _Read | None:
    """Elsewhere (SQLite): the same by the ORM, in four queries."""
    from kefu.tickets.models import Ticket

    # the ticket's row lock serialises two checks of one ticket (two replies committed at once): the second
    # waits, then reads every reply
    ticket = (Ticket.objects.select_for_update(of=("self",)).select_related("shop")
              .only("id", "owner_id", "tags", "root_cause", "first_response_due", "first_responded_at",
                    "resolution_due", "resolved_at", "shop__centre_id")
              .filter(pk=ticket_id).first())
    if ticket is None:
        return None
    read = _Read(owner_id=ticket.owner_id, centre_id=ticket.shop.centre_id, tags=ticket.tags or [],
                 root_cause=ticket.root_cause or "", first_response_due=ticket.first_response_due,
                 first_responded_at=ticket.first_responded_at, resolution_due=ticket.resolution_due,
                 resolved_at=ticket.resolved_at, replies=[])
    read.replies = list(context_for(ticket, read.centre_id, {}).replies)
    stored = (TicketCheck.objects.filter(ticket_id=ticket_id)
              .values_list("id", "score", "agent_id", "centre_id", "results", "checked_at").first())
    if stored is not None:
        read.check_id, read.score, read.agent_id, read.check_centre_id, read.results, read.checked_at = stored
        read.flags = dict(CheckFlag.objects.filter(check_result_id=read.check_id).values_list("kind", "detail"))
    return read


def _insert_values(obj) -> tuple[list[str], list]:
    """The columns and values of a new row of ``obj`` as the ORM prepares them (no primary key)."""
    fields = [f for f in obj._meta.local_concrete_fields if not f.primary_key]
    return ([f.column for f in fields],
            [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields])


def _write_one_statement(result: TicketCheck, *, gone: list[str], put: dict[str, str], audit,
                         read_at: dt.datetime | None) -> int | None:
    """PostgreSQL: the result row (``INSERT … ON CONFLICT DO UPDATE``), the flags cleared, raised or changed and
    the audit entry by one statement (data-modifying ``WITH``). Returns the result's id — or None, writing
    nothing, when the stored result is no longer the one read (its ``checked_at`` is not ``read_at``)."""
    quote = connection.ops.quote_name
    check_fields = ["ticket", "centre", "agent", "score", "flagged", "results", "checked_at"]
    fields = [TicketCheck._meta.get_field(name) for name in check_fields]
    params = [f.get_db_prep_save(f.pre_save(result, True), connection) for f in fields]
    columns = [f.column for f in fields]
    updates = ", ".join(f"{quote(c)} = EXCLUDED.{quote(c)}" for c in columns[1:])
    parts = [f"c AS (INSERT INTO {TicketCheck._meta.db_table} ({', '.join(map(quote, columns))}) "  # noqa: S608
             f"VALUES ({', '.join(['%s'] * len(columns))}) ON CONFLICT (ticket_id) DO UPDATE SET {updates} "
             f"WHERE {TicketCheck._meta.db_table}.checked_at IS NOT DISTINCT FROM %s RETURNING id)"]
    params.append(read_at)
    flags = CheckFlag._meta.db_table
    if gone:
        parts.append(f"d AS (DELETE FROM {flags} WHERE check_result_id IN (SELECT id FROM c) AND kind = ANY(%s))")  # noqa: S608
        params.append(gone)
    if put:
        parts.append(f"f AS (INSERT INTO {flags} (check_result_id, kind, detail, raised_at) "  # noqa: S608
                     "SELECT c.id, x.kind, x.detail, %s FROM c, unnest(%s::text[], %s::text[]) AS x(kind, detail) "
                     f"ON CONFLICT (check_result_id, kind) DO UPDATE SET detail = EXCLUDED.detail)")
        params += [result.checked_at, list(put), list(put.values())]
    if audit is not None:
        columns, values = _insert_values(audit)
        at = columns.index("object_id")
        select = ["%s"] * len(columns)
        select[at] = "CAST(c.id AS varchar)"  # the result's id, new or not
        del values[at]
        parts.append(f"a AS (INSERT INTO {audit._meta.db_table} ({', '.join(map(quote, columns))}) "  # noqa: S608
                     f"SELECT {', '.join(select)} FROM c)")
        params += values
    with connection.cursor() as cursor:
        cursor.execute("WITH " + ", ".join(parts) + " SELECT id FROM c", params)  # noqa: S608 - our own names
        row = cursor.fetchone()
    return row[0] if row else None


def _write_orm(result: TicketCheck, *, gone: list[str], put: dict[str, str], audit, read_at=None) -> int:
    # one statement whether the ticket was checked before or not (INSERT … ON CONFLICT DO UPDATE); the ticket's
    # row lock already serialises checks of one ticket
    TicketCheck.objects.bulk_create([result], update_conflicts=True, unique_fields=["ticket"],
                                    update_fields=["centre", "agent", "score", "flagged", "results", "checked_at"])
    if result.pk is None:  # a database that does not return the row's id
        result.pk = TicketCheck.objects.values_list("pk", flat=True).get(ticket_id=result.ticket_id)
    if gone:
        CheckFlag.objects.filter(check_result_id=result.pk, kind__in=gone).delete()
    stored = dict(CheckFlag.objects.filter(check_result_id=result.pk, kind__in=list(put)).values_list("kind", "pk"))
    CheckFlag.objects.bulk_create([CheckFlag(check_result_id=result.pk, kind=kind, detail=detail,
                                             raised_at=result.checked_at)
                                   for kind, detail in put.items() if kind not in stored])
    for kind, pk in stored.items():
        CheckFlag.objects.filter(pk=pk).update(detail=put[kind])
    if audit is not None:
        audit.object_id = str(result.pk)
        audit.save(force_insert=True)
    return result.pk


@transaction.atomic
def run_ticket_checks(*, ticket_id: int) -> TicketCheck | None:
    """Run the active checks on a ticket and store its score and flags (a system action: raised and cleared
    flags are audited). A flag keeps the moment it was first raised while the check keeps failing. When the
    outcome is the one stored (same score, results, flags and agent) nothing is written: ``checked_at`` is
    when the outcome last changed.

    On PostgreSQL two statements: the ticket (locked: two checks of one ticket never run at once) with its
    replies and stored result, then — only when something changed — the result, the flags and the audit entry
    together (when nothing changed, a look-up of the stored result's time instead). The read skips a ticket
    another check has locked: then this run waits for the lock and reads through the ORM, whose statements see
    that check's result; the write, or the look-up, finds whether the stored result is still the one read (a
    check may commit between the read's snapshot and its lock) and if not the run is made again under the
    lock. Elsewhere the same through the ORM."""
    one_statement = connection.vendor == "postgresql"
    read = _read_one_statement(ticket_id) if one_statement else None
    before_lock = read is not None  # its stored result is as of its snapshot, taken before the lock
    if read is None:  # elsewhere; or another check of the ticket holds its lock: wait for it, then read afresh
        read = _read_orm(ticket_id)
    if read is None:
        return None
    result = _settle(ticket_id, read, one_statement, before_lock=before_lock)
    if result is None:
        # the stored result changed between this statement's snapshot and its lock (another check committed
        # just then): the lock is held now, so the ORM's reads see that check's result
        result = _settle(ticket_id, _read_orm(ticket_id), one_statement)
    return result


def _settle(ticket_id: int, read: _Read, one_statement: bool, *, before_lock: bool = False) -> TicketCheck | None:
    centre_id = read.centre_id
    rules = active_rules()
    results, score = checks.run(context_for(read, centre_id, rules), rules,
                                min_chars=get_rule("quality.checks.standard_reply_chars", centre_id=centre_id))
    failed = {kind: r["detail"][:300] for kind, r in results.items() if r["ok"] is False}
    result = TicketCheck(ticket_id=ticket_id, centre_id=centre_id, agent_id=read.owner_id, score=score,
                         flagged=bool(failed), results=results, checked_at=read.checked_at)
    if (read.check_id is not None and read.score == score and read.results == results and read.flags == failed
            and read.agent_id == read.owner_id and read.check_centre_id == centre_id):
        if before_lock and not TicketCheck.objects.filter(pk=read.check_id, checked_at=read.checked_at).exists():
            # another check committed its result between the read's snapshot and its lock: what this run
            # found may differ from what is stored now, so it is made again under the lock (as after a write)
            return None
        result.pk = read.check_id  # nothing changed: nothing to write
        result._state.adding = False
        return result
    result.checked_at = timezone.now()
    gone = sorted(kind for kind in read.flags if kind not in failed)
    put = {kind: detail for kind, detail in failed.items() if read.flags.get(kind) != detail}
    audit = None
    if gone or any(kind not in read.flags for kind in failed):
        audit = entry(actor=None, action=Action.UPDATE, obj=result, before={"flags": sorted(read.flags)},
                      after={"flags": sorted(failed), "score": score}, note="automatic checks")
    result.pk = (_write_one_statement if one_statement else _write_orm)(result, gone=gone, put=put, audit=audit,
                                                                        read_at=read.checked_at)
    if result.pk is None:
        return None
    result._state.adding = False
    return result


def on_ticket_event(*, ticket_id: int) -> None:
    """The hook (kefu.core.hooks) run after a public reply or a resolution commits."""
    run_ticket_checks(ticket_id=ticket_id)


# -- editing the rules (QA inspectors and heads) -----------------------------------------------------

def _clean_phrases(errors: Errors, phrases) -> list[str]:
    if isinstance(phrases, str):
        phrases = phrases.splitlines()
    clean: list[str] = []
    for raw in phrases or []:
        phrase = "".join(str(raw).split())
        if not phrase:
            continue
        if len(phrase) > PHRASE_MAX:
            errors.add("phrases", _("“%(phrase)s”: a phrase has at most %(n)s characters.")
                       % {"phrase": phrase[:20], "n": PHRASE_MAX})
        elif phrase not in clean:
            clean.append(phrase)
    if len(clean) > PHRASES_MAX:
        errors.add("phrases", _("At most %(n)s phrases.") % {"n": PHRASES_MAX})
    return clean


def _validate(errors: Errors, kind: str, weight, active: bool, phrases) -> tuple[int, list[str]]:
    try:
        weight = int(weight)
    except (TypeError, ValueError):
        errors.add("weight", _("Enter a whole number."))
        weight = 0
    else:
        if not 0 <= weight <= 100:
            errors.add("weight", _("Must be from 0 to 100."))
    clean = _clean_phrases(errors, phrases)
    if kind in PHRASE_KINDS and bool(active) and not clean:
        errors.add("phrases", _("A check of phrases in use needs at least one phrase."))
    return weight, clean


FIELDS = ["weight", "active", "phrases"]


@transaction.atomic
def save_check_rule(*, actor, kind: str, weight, active: bool, phrases: Sequence[str] | str | None = None,
                    version: int | None = None) -> CheckRule:
    """Change one automatic check: its phrases (greeting, closing and forbidden checks), the points it takes
    off and whether it is in use. With ``version`` (the API), a stale version is refused (409). Refused input
    changes nothing."""
    access.require_editor(actor)
    errors = Errors()
    rule = CheckRule.objects.select_for_update().filter(kind=kind).first()
    if rule is None:
        errors.add("kind", _("No such check."))
        errors.raise_if_any(_("The check was not saved."))
    return _apply(actor, rule, weight=weight, active=active, phrases=phrases, version=version)


def _apply(actor, rule: CheckRule, *, weight, active: bool, phrases, version: int | None) -> CheckRule:
    errors = Errors()
    weight, clean = _validate(errors, rule.kind, weight, active, phrases)
    errors.raise_if_any(_("The check was not saved."))
    if version is not None:
        check_version(rule, version)
    before = snapshot(rule, FIELDS)
    rule.weight = weight
    rule.active = bool(active)
    if rule.kind in PHRASE_KINDS:
        rule.phrases = clean
    rule.updated_by = actor
    bump_version(rule)
    rule.save()
    _rules_changed()
    record(actor=actor, action=Action.UPDATE, obj=rule, before=before, after=snapshot(rule, FIELDS))
    return rule


@transaction.atomic
def update_check_rule(*, actor, rule_id: int, version: int | None, changes: Mapping) -> CheckRule:
    """Change some of a check's fields (``weight``, ``active``, ``phrases``; the others stay), naming the
    version read (R-ERR: a stale or missing version → 409)."""
    access.require_editor(actor)
    rule = CheckRule.objects.select_for_update().filter(pk=rule_id).first()
    if rule is None:
        raise NotFound(_("No such check."))
    if version is None:
        check_version(rule, None)
    return _apply(actor, rule, weight=changes.get("weight", rule.weight), active=changes.get("active", rule.active),
                  phrases=changes.get("phrases", rule.phrases), version=version)


@transaction.atomic
def create_check_rule(*, actor, kind: str, weight, active: bool = True,
                      phrases: Sequence[str] | str | None = None) -> CheckRule:
    """Put a check of ``kind`` in place (one rule per kind: a kind already in place → 422 naming ``kind``;
    change that one instead)."""
    access.require_editor(actor)
    errors = Errors()
    if kind not in CheckRule.Kind.values:
        errors.add("kind", _("Choose one of: %(kinds)s.") % {"kinds": ", ".join(CheckRule.Kind.values)})
    elif CheckRule.objects.select_for_update().filter(kind=kind).exists():
        errors.add("kind", _("This check is already in place; change it instead."))
    weight, clean = _validate(errors, kind, weight, active, phrases)
    errors.raise_if_any(_("The check was not saved."))
    try:
        with transaction.atomic():  # two at once: the second meets the unique kind
            rule = CheckRule.objects.create(kind=kind, weight=weight, active=bool(active),
                                            phrases=clean if kind in PHRASE_KINDS else [], updated_by=actor)
    except IntegrityError:
        errors.add("kind", _("This check is already in place; change it instead."))
        errors.raise_if_any(_("The check was not saved."))
    _rules_changed()
    record(actor=actor, action=Action.CREATE, obj=rule, after=snapshot(rule, ["kind", *FIELDS]))
    return rule
