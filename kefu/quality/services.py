"""Every change in quality inspection (SPEC §5): keyword-only, transactional, audited (R-AUD). A refused
request raises before it writes, so it changes nothing (R-ERR).

- ``save_scorecard`` writes a new version of a scorecard (R-QA-1): reviews keep the version they were
  scored with;
- ``create_review`` scores a ticket on a scorecard: the sum of the items' points (0–100), or 0 and
  ``failed`` when a critical item (致命项) failed; the agent is the ticket's owner and is notified;
- ``appeal_review`` (the reviewed agent, once: R-QA-2) and ``decide_appeal`` (a department head);
- ``create_calibration`` and ``score_calibration``: inspectors score the same tickets blind.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence

from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kefu.audit.services import Action, record, snapshot
from kefu.core import hooks
from kefu.core.concurrency import bump_version
from kefu.core.errors import Errors, InvalidInput, NotAllowed, RuleViolation
from kefu.notifications.services import notify
from kefu.quality import access
from kefu.quality.models import (
    Appeal,
    CalibrationScore,
    CalibrationSession,
    Review,
    ReviewScore,
    Scorecard,
    ScorecardItem,
)
from kefu.rules.selectors import get_rule
from kefu.tickets.access import tickets_in_scope

RULE_SCORECARD = "R-QA-1"
RULE_INSPECTION = "R-QA-2"
MAX_SCORE = 100
TEXT_MAX = 5000
ITEM_COMMENT_MAX = 500
NAME_MAX = 100
CODE_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def _now() -> dt.datetime:
    return timezone.now()


# -- scoring (R-QA-1) --------------------------------------------------------------------------------

def check_scores(errors: Errors, items: Sequence[ScorecardItem], scores: Mapping[str, object],
                 critical_failed: Sequence[str], *, field: str = "scores") -> tuple[dict[str, int], set[str]]:
    """Validate the points given per item code and the failed critical items against ``items``:
    every scored item present, none unknown, each from 0 to its weight; ``critical_failed`` names only
    critical items. Returns the clean points and the failed codes."""
    scored = {i.code: i for i in items if not i.critical}
    critical = {i.code for i in items if i.critical}
    points: dict[str, int] = {}
    for code, value in (scores or {}).items():
        code = str(code)
        item = scored.get(code)
        if item is None:
            if code in critical:
                errors.add(f"{field}.{code}", _("“%(code)s” is a critical item: list it in critical_failed "
                                                "when it failed, do not score it.") % {"code": code})
            else:
                errors.add(f"{field}.{code}", _("This scorecard has no item “%(code)s”.") % {"code": code})
            continue
        if isinstance(value, bool) or not isinstance(value, int):
            errors.add(f"{field}.{code}", _("Enter a whole number."))
            continue
        if value < 0 or value > item.weight:
            errors.add(f"{field}.{code}", _("%(name)s: give 0 to %(weight)s points (its weight).")
                       % {"name": item.name, "weight": item.weight})
            continue
        points[code] = value
    for code, item in scored.items():
        if code not in (scores or {}):
            errors.add(f"{field}.{code}", _("%(name)s: a score is required.") % {"name": item.name})
    failed = set()
    for code in critical_failed or ():
        code = str(code)
        if code not in critical:
            errors.add("critical_failed", _("“%(code)s” is not a critical item of this scorecard.") % {"code": code})
        else:
            failed.add(code)
    return points, failed


def total(points: Mapping[str, int], failed: set[str] | Sequence[str]) -> tuple[int, bool]:
    """The review's score and whether it failed: a failed critical item sets the score to 0."""
    if failed:
        return 0, True
    return min(MAX_SCORE, sum(points.values())), False


# -- scorecards (R-QA-1) -----------------------------------------------------------------------------

def _clean_items(errors: Errors, items: Sequence[Mapping]) -> list[dict]:
    clean: list[dict] = []
    codes: set[str] = set()
    if not items:
        errors.add("items", _("A scorecard needs items."))
        return clean
    for n, raw in enumerate(items):
        f = f"items.{n}"
        code = str(raw.get("code") or "").strip()
        name = str(raw.get("name") or "").strip()
        critical = bool(raw.get("critical"))
        try:
            weight = int(raw.get("weight") or 0)
        except (TypeError, ValueError):
            errors.add(f"{f}.weight", _("Enter a whole number."))
            weight = 0
        if not CODE_RE.match(code):
            errors.add(f"{f}.code", _("A code of lower-case letters, digits and _ (at most 40), starting with a "
                                      "letter."))
        elif code in codes:
            errors.add(f"{f}.code", _("Two items have the code “%(code)s”.") % {"code": code})
        codes.add(code)
        if not name:
            errors.add(f"{f}.name", _("A name is required."))
        elif len(name) > NAME_MAX:
            errors.add(f"{f}.name", _("At most %(n)s characters.") % {"n": NAME_MAX})
        if critical and weight != 0:
            errors.add(f"{f}.weight", _("A critical item has weight 0: failing it sets the whole score to 0."))
        elif not critical and not 1 <= weight <= MAX_SCORE:
            errors.add(f"{f}.weight", _("Must be from 1 to 100."))
        clean.append({"code": code, "name": name, "weight": weight, "critical": critical,
                      "description": str(raw.get("description") or "").strip()[:500],
                      "guide": str(raw.get("guide") or "").strip()[:TEXT_MAX]})
    scored = [c for c in clean if not c["critical"]]
    if not scored:
        errors.add("items", _("A scorecard needs at least one item that is scored."))
    elif sum(c["weight"] for c in scored) != MAX_SCORE:
        errors.add("items", _("The weights add up to %(sum)s; they must add up to 100.")
                   % {"sum": sum(c["weight"] for c in scored)})
    return clean


@transaction.atomic
def save_scorecard(*, actor, name: str, items: Sequence[Mapping], family: int | None = None,
                   change_note: str = "") -> Scorecard:
    """A new scorecard (``family`` None) or a new version of one (R-QA-1): the old version stays as it
    was for the reviews scored with it and is no longer used for new reviews."""
    access.require_editor(actor)
    errors = Errors()
    name = (name or "").strip()
    if not name:
        errors.add("name", _("A name is required."))
    elif len(name) > NAME_MAX:
        errors.add("name", _("At most %(n)s characters.") % {"n": NAME_MAX})
    previous = None
    if family is not None:
        previous = Scorecard.objects.select_for_update().filter(family=family).order_by("-version").first()
        if previous is None:
            errors.add("family", _("No such scorecard."))
    clean = _clean_items(errors, items)
    errors.raise_if_any(_("The scorecard was not saved."))
    if previous is None:
        family = (Scorecard.objects.aggregate(m=Max("family"))["m"] or 0) + 1
        number = 1
    else:
        number = previous.version + 1
        Scorecard.objects.filter(family=family, active=True).update(active=False)
    card = Scorecard.objects.create(family=family, version=number, name=name, active=True,
                                    is_default=bool(previous and previous.is_default),
                                    change_note=(change_note or "").strip()[:300],
                                    created_by=actor if getattr(actor, "pk", None) else None)
    ScorecardItem.objects.bulk_create([ScorecardItem(scorecard=card, position=n, **c) for n, c in enumerate(clean)])
    record(actor=actor, action=Action.CREATE, obj=card,
           after={**snapshot(card, ["family", "version", "name"]), "items": clean}, note=card.change_note)
    return card


def _scorecard_for(errors: Errors, scorecard_id: int | None) -> Scorecard | None:
    if scorecard_id is None:
        card = (Scorecard.objects.filter(active=True).order_by("-is_default", "family").first())
        if card is None:
            errors.add("scorecard_id", _("No scorecard is in use."))
        return card
    card = Scorecard.objects.filter(pk=scorecard_id).first()
    if card is None:
        errors.add("scorecard_id", _("No such scorecard."))
    elif not card.active:
        errors.add("scorecard_id", _("This scorecard version was replaced by a newer one; score with the newest."))
        card = None
    return card


# -- reviews -------------------------------------------------------------------------------------------

def _text(errors: Errors, field: str, value, limit: int = TEXT_MAX) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        errors.add(field, _("At most %(n)s characters.") % {"n": limit})
    return value


@transaction.atomic
def create_review(*, actor, ticket_id: int, scores: Mapping[str, object], comment: str = "",
                  critical_failed: Sequence[str] | None = None, scorecard_id: int | None = None,
                  mystery: bool = False, item_comments: Mapping[str, str] | None = None,
                  quoted_message: str = "") -> Review:
    """A QA inspector or head scores a ticket of their scope (R-QA-1). The agent reviewed is the ticket's
    owner, who is told. The review keeps the scorecard version it was scored with."""
    access.require_reviewer(actor)
    errors = Errors()
    ticket = tickets_in_scope(actor).select_related("owner").filter(pk=ticket_id).first() if ticket_id else None
    if ticket is None:
        errors.add("ticket_id", _("No such ticket."))
    elif ticket.owner_id is None:
        errors.add("ticket_id", _("This ticket has no owner to review."))
    card = _scorecard_for(errors, scorecard_id)
    points: dict[str, int] = {}
    failed: set[str] = set()
    items: list[ScorecardItem] = []
    if card is not None:
        items = list(card.items.all())
        points, failed = check_scores(errors, items, scores, critical_failed or [])
    comment = _text(errors, "comment", comment)
    quoted_message = _text(errors, "quoted_message", quoted_message)
    known = {i.code for i in items}
    notes: dict[str, str] = {}
    for code, note in (item_comments or {}).items():
        if items and code not in known:
            errors.add(f"item_comments.{code}", _("This scorecard has no item “%(code)s”.") % {"code": code})
        else:
            notes[code] = _text(errors, f"item_comments.{code}", note, ITEM_COMMENT_MAX)
    errors.raise_if_any(_("The review was not saved."))
    score, is_failed = total(points, failed)
    agent = ticket.owner
    review = Review.objects.create(
        centre_id=actor.centre_id or agent.centre_id, ticket=ticket, agent=agent, team_id=agent.team_id,
        inspector=actor, scorecard=card, score=score, original_score=score, failed=is_failed, comment=comment,
        quoted_message=quoted_message, mystery=bool(mystery), created_at=_now())
    ReviewScore.objects.bulk_create([
        ReviewScore(review=review, item=i, points=points.get(i.code, 0), failed=i.code in failed,
                    comment=notes.get(i.code, "")) for i in items])
    record(actor=actor, action=Action.CREATE, obj=review,
           after={**snapshot(review, ["ticket", "agent", "scorecard", "score", "failed", "mystery"]),
                  "scores": points, "critical_failed": sorted(failed)})
    notify(recipients=[agent], kind="qa_review", title=gettext_lazy("One of your tickets was reviewed by QA"),
           body=f"{ticket.number}: {score}", url=reverse("quality:review", args=[review.pk]))
    return review


# -- appeals (R-QA-2) -----------------------------------------------------------------------------------

@transaction.atomic
def appeal_review(*, actor, review_id: int, reason: str) -> Appeal:
    """The reviewed agent appeals, at most ``quality.appeals_per_review`` times (default once)."""
    review = access.access_review(actor, review_id, for_update=True)
    if review.agent_id != actor.pk:
        raise NotAllowed(_("Only the agent reviewed may appeal this review."))
    errors = Errors()
    reason = _text(errors, "reason", reason)
    if not reason:
        errors.add("reason", _("Say why you appeal."))
    errors.raise_if_any(_("The appeal was not filed."))
    allowed = get_rule("quality.appeals_per_review", centre_id=review.centre_id)
    if review.appeals.count() >= allowed:
        raise RuleViolation(_("This review was already appealed; an agent may appeal a review once."),
                            rule=RULE_INSPECTION)
    appeal = Appeal.objects.create(review=review, reason=reason, created_by=actor, created_at=_now(),
                                   score_before=review.score)
    review.appeal_state = Review.AppealState.PENDING
    bump_version(review)
    review.save(update_fields=["appeal_state", "version"])
    record(actor=actor, action=Action.CREATE, obj=appeal, after=snapshot(appeal, ["review", "reason"]))
    heads = access.deciders_for(review)
    notify(recipients=heads, kind="qa_appeal", title=gettext_lazy("A QA review was appealed"),
           body=f"{actor}: {reason[:200]}", url=reverse("quality:appeals"))
    return appeal


@transaction.atomic
def decide_appeal(*, actor, appeal_id: int, upheld: bool, note: str, score: int | None = None) -> Review:
    """A department head decides. Upheld: the review's score becomes ``score`` (or, without one, the sum
    of its points with no critical failure); refused: the score stays. Agent and inspector are told."""
    access.require_decider(actor)
    appeal = access.access_appeal(actor, appeal_id, for_update=True)
    errors = Errors()
    note = _text(errors, "note", note)
    if not note:
        errors.add("note", _("Explain the decision."))
    if score is not None and (isinstance(score, bool) or not 0 <= int(score) <= MAX_SCORE):
        errors.add("score", _("Must be from 0 to 100."))
    if appeal.status != Appeal.Status.PENDING:
        raise RuleViolation(_("This appeal was already decided."), rule=RULE_INSPECTION)
    errors.raise_if_any(_("The appeal was not decided."))
    review = Review.objects.select_for_update().get(pk=appeal.review_id)
    before = snapshot(review, ["score", "failed", "appeal_state"])
    if upheld:
        if score is None:
            score = min(MAX_SCORE, sum(review.scores.values_list("points", flat=True)))
        review.score = int(score)
        hooks.fire(hooks.KPI_DAYS_CHANGED, at=[review.created_at])  # the review's day: its QA score
        review.failed = False
        review.appeal_state = Review.AppealState.UPHELD
        appeal.status = Appeal.Status.UPHELD
    else:
        review.appeal_state = Review.AppealState.REJECTED
        appeal.status = Appeal.Status.REJECTED
    appeal.decided_by = actor
    appeal.decided_at = _now()
    appeal.note = note
    appeal.score_after = review.score
    appeal.save(update_fields=["status", "decided_by", "decided_at", "note", "score_after"])
    bump_version(review)
    review.save(update_fields=["score", "failed", "appeal_state", "version"])
    record(actor=actor, action=Action.UPDATE, obj=review, before=before,
           after=snapshot(review, ["score", "failed", "appeal_state"]), note=note[:500])
    title = gettext_lazy("An appeal of a QA review was upheld") if upheld else \
        gettext_lazy("An appeal of a QA review was refused")
    notify(recipients=[review.agent_id, review.inspector_id], kind="qa_appeal_decided", title=title,
           body=note[:500], url=reverse("quality:review", args=[review.pk]))
    return review


# -- calibration --------------------------------------------------------------------------------------

@transaction.atomic
def create_calibration(*, actor, name: str, ticket_ids: Sequence[int],
                       scorecard_id: int | None = None) -> CalibrationSession:
    """A calibration session on a few tickets; its creator (a head or QA inspector) scores the reference."""
    access.require_editor(actor)
    errors = Errors()
    name = (name or "").strip()
    if not name:
        errors.add("name", _("A name is required."))
    elif len(name) > NAME_MAX:
        errors.add("name", _("At most %(n)s characters.") % {"n": NAME_MAX})
    ids = list(dict.fromkeys(int(t) for t in ticket_ids or ()))
    tickets = list(tickets_in_scope(actor).filter(pk__in=ids))
    if not ids:
        errors.add("ticket_ids", _("Choose at least one ticket."))
    elif len(tickets) != len(ids):
        errors.add("ticket_ids", _("No such ticket."))
    card = _scorecard_for(errors, scorecard_id)
    errors.raise_if_any(_("The calibration session was not created."))
    session = CalibrationSession.objects.create(centre_id=actor.centre_id, name=name, scorecard=card,
                                                reference=actor, created_by=actor, created_at=_now())
    session.tickets.set(tickets)
    record(actor=actor, action=Action.CREATE, obj=session, after={"name": name, "tickets": ids})
    return session


@transaction.atomic
def score_calibration(*, actor, session_id: int, ticket_id: int, scores: Mapping[str, object],
                      critical_failed: Sequence[str] | None = None) -> int:
    """An inspector's blind scores of one ticket of a session (again: replaces their earlier scores, until they
    scored every ticket: the spread, open to them from then on, shows the reference's points through their own
    deviation, so later scores would not be blind; the reference scorer may always change theirs)."""
    from kefu.quality.selectors import calibration_submitted

    access.require_reviewer(actor)
    session = access.access_calibration(actor, session_id)
    errors = Errors()
    if not session.tickets.filter(pk=ticket_id).exists():
        errors.add("ticket_id", _("This ticket is not part of the session."))
    elif actor.pk != session.reference_id and calibration_submitted(session, actor):
        errors.add("ticket_id", _("You scored every ticket of this session and its spread is open to you: "
                                  "your scores can no longer change."))
    items = list(session.scorecard.items.all())
    points, failed = check_scores(errors, items, scores, critical_failed or [])
    if session.closed:
        raise InvalidInput(_("This calibration session is closed."))
    errors.raise_if_any(_("The scores were not saved."))
    CalibrationScore.objects.filter(session=session, ticket_id=ticket_id, inspector=actor).delete()
    CalibrationScore.objects.bulk_create([
        CalibrationScore(session=session, ticket_id=ticket_id, inspector=actor, item=i,
                         points=points.get(i.code, 0), failed=i.code in failed) for i in items])
    score, _failed = total(points, failed)
    record(actor=actor, action=Action.UPDATE, obj=session, after={"ticket": ticket_id, "scores": points,
                                                                  "critical_failed": sorted(failed)})
    return score


@transaction.atomic
def add_calibration_tickets(*, actor, session_id: int, ticket_ids: Sequence[int]) -> CalibrationSession:
    """More tickets for an open session (its creator, or a department head of its centre); tickets already
    in it are left as they are."""
    access.require_editor(actor)
    session = access.access_calibration(actor, session_id, for_update=True)
    if session.created_by_id != actor.pk and not access.may_decide_appeals(actor):
        raise NotAllowed(_("Only the session's creator or a department head adds tickets to it."))
    errors = Errors()
    ids = list(dict.fromkeys(int(t) for t in ticket_ids or ()))
    tickets = list(tickets_in_scope(actor).filter(pk__in=ids))
    if not ids:
        errors.add("ticket_ids", _("Choose at least one ticket."))
    elif len(tickets) != len(ids):
        errors.add("ticket_ids", _("No such ticket."))
    if session.closed:
        raise InvalidInput(_("This calibration session is closed."))
    errors.raise_if_any(_("The tickets were not added."))
    session.tickets.add(*tickets)
    record(actor=actor, action=Action.UPDATE, obj=session, after={"tickets_added": ids})
    return session
