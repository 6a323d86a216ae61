"""The automatic checks through the API (issue 11), mounted under /api/v1/qa.

- ``/qa/check-rules``: the rules (QA inspectors and heads): list, create (a kind not yet in place), change
  with the ``version`` read (PATCH; stale → 409), enable and disable;
- ``/qa/tickets/{id}/checks``: a ticket's automatic score and flags — for its owner, and for leads, QA
  inspectors, heads and directors who see the ticket (404 outside the scope).

Thin: every change goes through ``kefu.quality.autocheck_services``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from kefu.core.api import ErrorOut, Id, PageNumber, Version
from kefu.core.errors import NotAllowed
from kefu.quality import access, autocheck_selectors, autocheck_services
from kefu.quality.models import CheckRule

router = Router(tags=["quality"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}

Phrase = Annotated[str, Field(max_length=200)]
Weight = Annotated[int, Field(ge=0, le=100)]


class CheckRuleOut(Schema):
    id: int
    kind: str
    name: str
    weight: int = Field(..., description="Points taken off the ticket's automatic score when it fails")
    active: bool
    phrases: list[str]
    updated_by: str | None
    updated_at: dt.datetime
    version: int

    @staticmethod
    def resolve_name(obj: CheckRule) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_updated_by(obj: CheckRule) -> str | None:
        return obj.updated_by.username if obj.updated_by_id else None


class CheckRuleIn(Schema):
    kind: Annotated[str, Field(max_length=20)]
    weight: Weight
    active: bool = True
    phrases: list[Phrase] = Field([], max_length=500)


class CheckRulePatch(Schema):
    version: Version
    weight: Weight | None = None
    active: bool | None = None
    phrases: list[Phrase] | None = Field(None, max_length=500)


class CheckRuleVersionIn(Schema):
    version: Version


class CheckFlagOut(Schema):
    kind: str
    detail: str
    raised_at: dt.datetime


class TicketChecksOut(Schema):
    ticket_id: int
    checked: bool = Field(..., description="False until the checks first ran on the ticket")
    score: int | None = Field(..., description="The automatic score 0–100")
    flagged: bool
    checked_at: dt.datetime | None
    results: dict[str, dict]
    flags: list[CheckFlagOut]


def _require_editor(user) -> None:
    if not access.may_edit_scorecards(user):
        raise NotAllowed(_("Only QA inspectors and department heads edit the automatic checks."))


def _rule(rule_id: int) -> CheckRule:
    return CheckRule.objects.select_related("updated_by").get(pk=rule_id)


@router.get("/check-rules", response={200: list[CheckRuleOut], **ERRORS})
@paginate(PageNumber)
def list_check_rules(request):
    _require_editor(request.user)
    return autocheck_selectors.rules()


@router.post("/check-rules", response={201: CheckRuleOut, **ERRORS})
def create_check_rule(request, payload: CheckRuleIn):
    rule = autocheck_services.create_check_rule(actor=request.user, kind=payload.kind, weight=payload.weight,
                                                active=payload.active, phrases=payload.phrases)
    return Status(201, _rule(rule.pk))


@router.patch("/check-rules/{rule_id}", response={200: CheckRuleOut, **ERRORS})
def update_check_rule(request, rule_id: Id, payload: CheckRulePatch):
    changes = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    version = changes.pop("version")
    rule = autocheck_services.update_check_rule(actor=request.user, rule_id=rule_id, version=version,
                                                changes=changes)
    return _rule(rule.pk)


@router.post("/check-rules/{rule_id}/enable", response={200: CheckRuleOut, **ERRORS})
def enable_check_rule(request, rule_id: Id, payload: CheckRuleVersionIn):
    rule = autocheck_services.update_check_rule(actor=request.user, rule_id=rule_id, version=payload.version,
                                                changes={"active": True})
    return _rule(rule.pk)


@router.post("/check-rules/{rule_id}/disable", response={200: CheckRuleOut, **ERRORS})
def disable_check_rule(request, rule_id: Id, payload: CheckRuleVersionIn):
    rule = autocheck_services.update_check_rule(actor=request.user, rule_id=rule_id, version=payload.version,
                                                changes={"active": False})
    return _rule(rule.pk)


@router.get("/tickets/{ticket_id}/checks", response={200: TicketChecksOut, **ERRORS})
def ticket_checks(request, ticket_id: Id):
    """The ticket's automatic score and flags (its owner; leads, QA, heads and directors of its scope)."""
    ticket, result = autocheck_selectors.ticket_checks(request.user, ticket_id)
    if result is None:
        return {"ticket_id": ticket.pk, "checked": False, "score": None, "flagged": False, "checked_at": None,
                "results": {}, "flags": []}
    return {"ticket_id": ticket.pk, "checked": True, "score": result.score, "flagged": result.flagged,
            "checked_at": result.checked_at, "results": result.results,
            "flags": [{"kind": f.kind, "detail": f.detail, "raised_at": f.raised_at} for f in result.flags.all()]}
