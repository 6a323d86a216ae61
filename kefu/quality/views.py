"""Quality inspection pages (SPEC §5): the inspector's desk (sample, quota progress, agents below quota), the
review form beside the ticket's timeline with an HTMX live total, a review's page with the agent's appeal,
the agent's own quality page, the team page with ECharts charts, the heads' appeals, the scorecard
editor and calibration. Thin: parse, call a service or selector, render.

Answers: 200 done, 422 invalid or refused by a rule (the form again with the reasons), 403 not allowed,
404 outside the scope."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kefu.core.errors import NotAllowed, NotFound, ServiceError, page_status
from kefu.quality import access, autocheck_selectors, sample_selectors, selectors, services
from kefu.tickets import selectors as ticket_selectors
from kefu.tickets.access import tickets_in_scope
from kefu.tickets.views_timeline import describe

EMPTY_ITEM_ROWS = 3


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(_("Your role does not allow this."))


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _month(request) -> dt.date:
    raw = request.GET.get("month") or ""
    try:
        year, month = (int(p) for p in raw.split("-"))
        if 2 <= year <= 9998:  # the previous and the next month must exist too
            return dt.date(year, month, 1)
    except (TypeError, ValueError):
        pass
    return selectors.this_month()


def _errors(exc: ServiceError) -> dict:
    out: dict[str, list[str]] = {}
    for e in exc.errors:
        out.setdefault(e.field, []).append(str(e.message))
    return out


# -- inspector's desk ----------------------------------------------------------------------------------

@login_required
def desk(request):
    user = request.user
    _require(access.may_review(user))
    month = _month(request)
    seed = (request.GET.get("seed") or "").strip()[:40] or None
    rows = selectors.quota(user, month)
    done = sum(min(r.done, r.required) for r in rows)
    required = sum(r.required for r in rows)
    return render(request, "quality/desk.html", {
        "month": month,
        "prev_month": selectors.month_start(month - dt.timedelta(days=1)),
        "next_month": selectors.next_month(month),
        "seed": seed or "",
        "quota": rows,
        "below": [r for r in rows if r.below],
        "progress": round(100 * done / required) if required else 100,
        "done": done,
        "required": required,
        "recent": list(selectors.reviews(user)[:10]),
        "flagged": autocheck_selectors.flagged_tickets(user),
    })


@login_required
def desk_sample(request):
    """The desk's sample (HTMX, loaded once the desk is shown): drawing it reads every ticket of the month
    of the agents below quota, so the desk itself does not wait for it; the draw is kept between visits
    (``sample_selectors``)."""
    user = request.user
    _require(access.may_review(user))
    month = _month(request)
    seed = (request.GET.get("seed") or "").strip()[:40] or None
    return render(request, "quality/_desk_sample.html",
                  {"sample": sample_selectors.desk_sample(user, month, seed=seed)})


# -- the review form -----------------------------------------------------------------------------------

def _scores_from(post, card) -> tuple[dict, list, dict]:
    scores, failed, notes = {}, [], {}
    for item in card.items.all():
        if item.critical:
            if post.get(f"critical_{item.code}"):
                failed.append(item.code)
        else:
            raw = (post.get(f"score_{item.code}") or "").strip()
            if raw != "":
                value = _int(raw)
                scores[item.code] = value if value is not None else raw
        note = (post.get(f"comment_{item.code}") or "").strip()
        if note:
            notes[item.code] = note
    return scores, failed, notes


def _timeline(ticket) -> list:
    events = ticket_selectors.timeline(ticket)
    for e in events:
        describe(e, {})
    return events


def _form_context(request, ticket, card, *, values=None, errors=None, error=None) -> dict:
    values = values or {}
    items = list(card.items.all())
    for item in items:
        item.value = values.get(f"score_{item.code}", "")
        item.note = values.get(f"comment_{item.code}", "")
        item.checked = bool(values.get(f"critical_{item.code}"))
        item.errors = (errors or {}).get(f"scores.{item.code}", []) + (errors or {}).get(
            f"item_comments.{item.code}", [])
    scores, failed, _notes = _scores_from(values, card) if values else ({}, [], {})
    clean = {k: v for k, v in scores.items() if isinstance(v, int)}
    return {"ticket": ticket, "card": card, "items": items, "events": _timeline(ticket), "values": values,
            "errors": errors or {}, "error": error, "total": services.total(clean, failed)}


def _ticket_for(request, ticket_id: int):
    ticket = tickets_in_scope(request.user).select_related("owner", "shop").filter(pk=ticket_id).first()
    if ticket is None:
        raise Http404(_("No such ticket."))
    return ticket


def _card_for(request):
    card = None
    card_id = _int(request.POST.get("scorecard") or request.GET.get("scorecard"))
    if card_id:
        card = selectors.scorecard(card_id)
    card = card or selectors.default_scorecard()
    if card is None:
        raise Http404(_("No scorecard is in use."))
    return card


@login_required
def review_form(request, ticket_id: int):
    _require(access.may_review(request.user))
    ticket = _ticket_for(request, ticket_id)
    card = _card_for(request)
    if request.method != "POST":
        return render(request, "quality/review_form.html", _form_context(request, ticket, card))
    scores, failed, notes = _scores_from(request.POST, card)
    try:
        review = services.create_review(
            actor=request.user, ticket_id=ticket.pk, scorecard_id=card.pk, scores=scores, critical_failed=failed,
            comment=request.POST.get("comment", ""), mystery=bool(request.POST.get("mystery")),
            item_comments=notes, quoted_message=request.POST.get("quoted_message", ""))
    except ServiceError as exc:
        context = _form_context(request, ticket, card, values=request.POST, errors=_errors(exc), error=exc.detail)
        return render(request, "quality/review_form.html", context, status=page_status(exc))
    messages.success(request, _("Review saved: %(score)s points.") % {"score": review.score})
    return redirect("quality:review", review.pk)


@login_required
@require_POST
def review_total(request, ticket_id: int):
    """The HTMX live total of the review form (nothing is saved)."""
    _require(access.may_review(request.user))
    card = _card_for(request)
    scores, failed, _notes = _scores_from(request.POST, card)
    weights = {i.code: i.weight for i in card.items.all()}
    clean = {k: max(0, min(v, weights.get(k, 0))) for k, v in scores.items() if isinstance(v, int)}
    score, is_failed = services.total(clean, failed)
    return render(request, "quality/_total.html", {"total": (score, is_failed)})


# -- one review, the appeal ---------------------------------------------------------------------------

def _review_context(request, review, *, appeal_errors=None, appeal_reason="") -> dict:
    user = request.user
    appeals = list(review.appeals.all())
    from kefu.rules.selectors import get_rule

    allowed = get_rule("quality.appeals_per_review", centre_id=review.centre_id)
    return {"review": review, "appeals": appeals, "appeal_errors": appeal_errors or {},
            "appeal_reason": appeal_reason,
            "can_appeal": review.agent_id == user.pk and len(appeals) < allowed,
            "can_decide": access.may_decide_appeals(user)}


@login_required
def review_detail(request, review_id: int):
    try:
        review = selectors.review_detail(request.user, review_id)
    except NotFound as exc:
        raise Http404(str(exc.detail)) from None
    return render(request, "quality/review_detail.html", _review_context(request, review))


@login_required
@require_POST
def appeal(request, review_id: int):
    reason = request.POST.get("reason", "")
    try:
        services.appeal_review(actor=request.user, review_id=review_id, reason=reason)
    except NotFound as exc:
        raise Http404(str(exc.detail)) from None
    except ServiceError as exc:
        review = selectors.review_detail(request.user, review_id)
        errors = _errors(exc) or {"reason": [str(exc.detail)]}
        return render(request, "quality/review_detail.html",
                      _review_context(request, review, appeal_errors=errors, appeal_reason=reason),
                      status=page_status(exc))
    messages.success(request, _("Your appeal was filed; a department head decides."))
    return redirect("quality:review", review_id)


# -- the agent's page ---------------------------------------------------------------------------------

@login_required
def mine(request):
    return render(request, "quality/mine.html", {**selectors.my_quality(request.user),
                                                 "flags": autocheck_selectors.my_flags(request.user)})


# -- the team page ------------------------------------------------------------------------------------

@login_required
def team(request):
    _require(access.may_see_team(request.user))
    data = selectors.team_quality(request.user, team_id=_int(request.GET.get("team")))
    return render(request, "quality/team.html", data)


# -- appeals (heads) ----------------------------------------------------------------------------------

@login_required
def appeals(request):
    user = request.user
    _require(access.may_decide_appeals(user) or access.may_review(user))
    return render(request, "quality/appeals.html", {
        "pending": list(selectors.appeals(user, pending_only=True)),
        "decided": [a for a in selectors.appeals(user)[:30] if a.status != "pending"],
        "can_decide": access.may_decide_appeals(user), "errors": {}, "failed_id": None,
    })


@login_required
@require_POST
def decide(request, appeal_id: int):
    user = request.user
    upheld = request.POST.get("upheld") == "yes"
    raw_score = (request.POST.get("score") or "").strip()
    score = _int(raw_score) if raw_score else None
    try:
        if raw_score and score is None:
            from kefu.core.errors import FieldError, InvalidInput

            raise InvalidInput(_("The appeal was not decided."), errors=[FieldError("score", _("Enter a whole number."))])
        review = services.decide_appeal(actor=user, appeal_id=appeal_id, upheld=upheld, score=score,
                                        note=request.POST.get("note", ""))
    except NotFound as exc:
        raise Http404(str(exc.detail)) from None
    except NotAllowed as exc:
        raise PermissionDenied(str(exc.detail)) from None
    except ServiceError as exc:
        return render(request, "quality/appeals.html", {
            "pending": list(selectors.appeals(user, pending_only=True)),
            "decided": [a for a in selectors.appeals(user)[:30] if a.status != "pending"],
            "can_decide": True, "errors": _errors(exc) or {"note": [str(exc.detail)]}, "failed_id": appeal_id,
        }, status=page_status(exc))
    messages.success(request, _("Appeal decided: the review's final score is %(score)s.") % {"score": review.score})
    return redirect("quality:appeals")


# -- scorecards ---------------------------------------------------------------------------------------

@login_required
def scorecards(request):
    _require(access.may_edit_scorecards(request.user))
    cards = list(selectors.active_scorecards())
    for card in cards:
        card.history = list(selectors.scorecard_history(card.family))
    return render(request, "quality/scorecards.html", {"cards": cards})


def _items_from(post) -> list[dict]:
    rows = []
    for n in range(_int(post.get("rows")) or 0):
        row = {k: (post.get(f"{k}_{n}") or "").strip() for k in ("code", "name", "weight", "description", "guide")}
        row["critical"] = bool(post.get(f"critical_{n}"))
        if any(row[k] for k in ("code", "name", "weight")):
            rows.append(row)
    return rows


@login_required
def scorecard_edit(request, family: int | None = None):
    _require(access.may_edit_scorecards(request.user))
    current = None
    if family is not None:
        current = selectors.scorecard_history(family).first()
        if current is None:
            raise Http404(_("No such scorecard."))
    errors: dict = {}
    error = None
    if request.method == "POST":
        items = _items_from(request.POST)
        try:
            services.save_scorecard(actor=request.user, family=family, name=request.POST.get("name", ""),
                                    items=items, change_note=request.POST.get("change_note", ""))
        except ServiceError as exc:
            errors, error = _errors(exc), exc.detail
            status = page_status(exc)
        else:
            messages.success(request, _("Scorecard saved as a new version; earlier reviews keep theirs."))
            return redirect("quality:scorecards")
        name = request.POST.get("name", "")
        note = request.POST.get("change_note", "")
    else:
        status = 200
        items = [{"code": i.code, "name": i.name, "weight": i.weight, "critical": i.critical,
                  "description": i.description, "guide": i.guide} for i in current.items.all()] if current else []
        name = current.name if current else ""
        note = ""
    rows = items + [{"code": "", "name": "", "weight": "", "critical": False, "description": "", "guide": ""}
                    for _i in range(EMPTY_ITEM_ROWS)]
    for n, row in enumerate(rows):
        row["n"] = n
        row["errors"] = [m for k in ("code", "name", "weight") for m in errors.get(f"items.{n}.{k}", [])]
    return render(request, "quality/scorecard_form.html", {
        "current": current, "rows": rows, "name": name, "change_note": note, "error": error,
        "top_errors": [m for k in ("name", "family", "items") for m in errors.get(k, [])],
        "row_count": len(rows)}, status=status)


# -- calibration --------------------------------------------------------------------------------------

@login_required
def calibration(request):
    user = request.user
    _require(access.may_review(user))
    errors: dict = {}
    status = 200
    if request.method == "POST":
        numbers = [n.strip() for n in (request.POST.get("tickets") or "").replace("，", ",").split(",") if n.strip()]
        ids = list(tickets_in_scope(user).filter(number__in=numbers).values_list("pk", flat=True))
        try:
            if len(ids) != len(set(numbers)):
                from kefu.core.errors import FieldError, InvalidInput

                raise InvalidInput(_("The calibration session was not created."),
                                   errors=[FieldError("ticket_ids", _("No such ticket."))])
            session = services.create_calibration(actor=user, name=request.POST.get("name", ""), ticket_ids=ids)
        except ServiceError as exc:
            errors, status = _errors(exc), page_status(exc)
        else:
            return redirect("quality:calibration_detail", session.pk)
    return render(request, "quality/calibration.html", {
        "sessions": list(selectors.calibration_sessions(user)), "errors": errors,
        "values": request.POST if request.method == "POST" else {}}, status=status)


@login_required
def calibration_detail(request, session_id: int):
    user = request.user
    _require(access.may_review(user))
    session = selectors.calibration_sessions(user).filter(pk=session_id).first()
    if session is None:
        raise Http404(_("No such calibration session."))
    errors: dict = {}
    status = 200
    if request.method == "POST":
        ticket_id = _int(request.POST.get("ticket"))
        scores, failed, _notes = _scores_from(request.POST, session.scorecard)
        try:
            services.score_calibration(actor=user, session_id=session.pk, ticket_id=ticket_id or 0, scores=scores,
                                       critical_failed=failed)
        except ServiceError as exc:
            errors, status = _errors(exc), page_status(exc)
        else:
            messages.success(request, _("Your calibration scores were saved."))
            return redirect("quality:calibration_detail", session.pk)
    from kefu.quality.models import CalibrationScore

    mine = {(s.ticket_id, s.item_id): s for s in CalibrationScore.objects.filter(session=session, inspector=user)}
    tickets = list(session.tickets.all().order_by("pk"))
    items = list(session.scorecard.items.all())
    for t in tickets:
        t.cells = [{"item": i, "mine": mine.get((t.pk, i.pk))} for i in items]
        t.scored = any(c["mine"] for c in t.cells)
    show_spread = user.pk in (session.reference_id, session.created_by_id) or access.may_decide_appeals(user)
    return render(request, "quality/calibration_detail.html", {
        "session": session, "tickets": tickets, "items": items, "errors": errors,
        "spread": selectors.calibration_spread(session) if show_spread else None}, status=status)
