"""Automatic checks on every ticket (issue 11): run the check rules on a ticket's public replies and on its
resolution, keep its automatic score and flags; QA inspectors and heads edit the rules.

The tickets app fires ``kefu.core.hooks`` events on a public reply and on resolution; this app registers
``on_ticket_event`` for both at start-up (``QualityConfig.ready``), so the checks run right after the
reply's transaction commits — immediately, without the tickets app knowing of quality inspection. (A Huey job
over "tickets with new replies since the last run" would lag by its period and need a cursor; the hook does
not.) An internal note fires nothing. The checks themselves are pure functions in ``kefu.quality.checks``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.audit.services import Action, record, snapshot
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


def context_for(ticket, centre_id: int, rules) -> checks.Context:
    from kefu.tickets.choices import EventKind
    from kefu.tickets.models import TicketEvent

    replies = list(TicketEvent.objects.filter(ticket_id=ticket.pk, kind=EventKind.REPLY, public=True)
                   .order_by("at", "id").values_list("body", flat=True))
    resolved = ticket.resolved_at is not None
    standard = _standard_replies(ticket, centre_id) if resolved and checks.STANDARD_REPLY in rules else []
    return checks.Context(replies=replies, resolved=resolved, first_response_due=ticket.first_response_due,
                          first_responded_at=ticket.first_responded_at, resolution_due=ticket.resolution_due,
                          resolved_at=ticket.resolved_at, standard_replies=standard)


@transaction.atomic
def run_ticket_checks(*, ticket_id: int) -> TicketCheck | None:
    """Run the active checks on a ticket and store its score and flags (a system action: raised and cleared
    flags are audited). A flag keeps the moment it was first raised while the check keeps failing."""
    from kefu.tickets.models import Ticket

    # the ticket's row lock serialises two checks of one ticket (two replies committed at once): the second
    # waits, then reads every reply
    ticket = (Ticket.objects.select_for_update(of=("self",)).select_related("shop")
              .only("id", "owner_id", "tags", "root_cause", "first_response_due", "first_responded_at",
                    "resolution_due", "resolved_at", "shop__centre_id")
              .filter(pk=ticket_id).first())
    if ticket is None:
        return None
    centre_id = ticket.shop.centre_id
    rules = active_rules()
    results, score = checks.run(context_for(ticket, centre_id, rules), rules,
                                min_chars=get_rule("quality.checks.standard_reply_chars", centre_id=centre_id))
    failed = {kind: r["detail"] for kind, r in results.items() if r["ok"] is False}
    now = timezone.now()
    # one statement whether the ticket was checked before or not (INSERT … ON CONFLICT DO UPDATE); the ticket's
    # row lock above already serialises checks of one ticket
    result = TicketCheck(ticket_id=ticket.pk, centre_id=centre_id, agent_id=ticket.owner_id, score=score,
                         flagged=bool(failed), results=results, checked_at=now)
    TicketCheck.objects.bulk_create([result], update_conflicts=True, unique_fields=["ticket"],
                                    update_fields=["centre", "agent", "score", "flagged", "results", "checked_at"])
    if result.pk is None:  # a database that does not return the row's id
        result = TicketCheck.objects.get(ticket_id=ticket.pk)
    flags = {f.kind: f for f in result.flags.all()}
    gone = [f.pk for kind, f in flags.items() if kind not in failed]
    raised = [CheckFlag(check_result=result, kind=kind, detail=detail[:300], raised_at=now)
              for kind, detail in failed.items() if kind not in flags]
    for kind, detail in failed.items():
        if kind in flags and flags[kind].detail != detail[:300]:
            flags[kind].detail = detail[:300]
            flags[kind].save(update_fields=["detail"])
    if gone:
        CheckFlag.objects.filter(pk__in=gone).delete()
    if raised:
        CheckFlag.objects.bulk_create(raised)
    if gone or raised:
        record(actor=None, action=Action.UPDATE, obj=result, before={"flags": sorted(flags)},
               after={"flags": sorted(failed), "score": score}, note="automatic checks")
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
