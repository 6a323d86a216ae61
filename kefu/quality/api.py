"""Quality inspection API (API.md "Quality", SPEC §5), mounted at /api/v1/qa."""


import datetime as dt
import re
from typing import Annotated

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from kefu.core.api import ErrorOut, Id, PageNumber
from kefu.core.errors import FieldError, InvalidInput
from kefu.quality import selectors, services
from kefu.quality.models import Review, Scorecard

router = Router(tags=["quality"])
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")

Points = Annotated[int, Field(ge=0, le=100)]
Text = Annotated[str, Field(max_length=5000)]


class ItemOut(Schema):
    code: str
    name: str
    weight: int
    critical: bool
    description: str
    guide: str


class ScorecardOut(Schema):
    id: int
    name: str
    version: int
    active: bool
    items: list[ItemOut]

    @staticmethod
    def resolve_items(obj: Scorecard) -> list:
        return list(obj.items.all())


class ItemScoreOut(Schema):
    code: str
    name: str
    weight: int
    critical: bool
    points: int
    failed: bool
    comment: str


class AppealOut(Schema):
    id: int
    status: str
    reason: str
    created_at: dt.datetime
    decided_by: str | None
    decided_at: dt.datetime | None
    note: str
    score_before: int
    score_after: int | None

    @staticmethod
    def resolve_decided_by(obj) -> str | None:
        return obj.decided_by.username if obj.decided_by_id else None


class ReviewOut(Schema):
    id: int
    ticket_id: int
    ticket_number: str
    agent: str = Field(..., description="The username of the ticket's owner, who was reviewed")
    inspector: str
    scorecard_id: int
    scorecard_version: int
    score: int = Field(..., description="0–100: the sum of the points; 0 when a critical item failed")
    original_score: int = Field(..., description="The score before an upheld appeal changed it")
    failed: bool
    critical_failed: list[str]
    mystery: bool
    comment: str
    quoted_message: str
    items: list[ItemScoreOut]
    appeal_state: str
    created_at: dt.datetime
    version: int

    @staticmethod
    def resolve_ticket_number(obj: Review) -> str:
        return obj.ticket.number

    @staticmethod
    def resolve_agent(obj: Review) -> str:
        return obj.agent.username

    @staticmethod
    def resolve_inspector(obj: Review) -> str:
        return obj.inspector.username

    @staticmethod
    def resolve_scorecard_version(obj: Review) -> int:
        return obj.scorecard.version

    @staticmethod
    def resolve_critical_failed(obj: Review) -> list[str]:
        return [s.item.code for s in obj.scores.all() if s.failed]

    @staticmethod
    def resolve_items(obj: Review) -> list[dict]:
        return [{"code": s.item.code, "name": s.item.name, "weight": s.item.weight, "critical": s.item.critical,
                 "points": s.points, "failed": s.failed, "comment": s.comment} for s in obj.scores.all()]


class ReviewIn(Schema):
    ticket_id: Id
    scorecard_id: Id | None = None
    scores: dict[str, Points] = Field(..., description="Points per item code, from 0 to the item's weight")
    critical_failed: list[Annotated[str, Field(max_length=40)]] = Field([], description="Critical items failed")
    comment: Text = ""
    mystery: bool = Field(False, description="A mystery-customer (神秘客户) review")
    item_comments: dict[str, Annotated[str, Field(max_length=500)]] = {}
    quoted_message: Text = ""


class AppealIn(Schema):
    reason: Text


class AppealCreatedOut(AppealOut):
    review_id: int


class DecideIn(Schema):
    upheld: bool
    score: Points | None = None
    note: Text


class QuotaOut(Schema):
    agent: str
    required: int
    done: int


class QuotaQuery(Schema):
    month: str | None = Field(None, description="YYYY-MM; default: this month")


def _month(value: str | None) -> dt.date:
    if not value:
        return selectors.this_month()
    m = MONTH_RE.match(value)
    if m and 1 <= int(m.group(2)) <= 12 and 1 <= int(m.group(1)) <= 9998:
        return dt.date(int(m.group(1)), int(m.group(2)), 1)
    raise InvalidInput(_("The request has invalid fields."),
                       errors=[FieldError("month", _("Enter a month as YYYY-MM."))])


def _review(request, review_id: int) -> Review:
    return selectors.review_detail(request.user, review_id)


@router.get("/scorecards", response={200: list[ScorecardOut], **ERRORS})
@paginate(PageNumber)
def list_scorecards(request):
    """The scorecards in use (the newest version of each); the shipped default first (R-QA-1)."""
    return selectors.active_scorecards()


@router.post("/reviews", response={201: ReviewOut, **ERRORS})
def create_review(request, payload: ReviewIn):
    """QA inspectors and heads score a ticket; the agent reviewed is the ticket's owner (R-QA-1)."""
    review = services.create_review(
        actor=request.user, ticket_id=payload.ticket_id, scorecard_id=payload.scorecard_id, scores=payload.scores,
        critical_failed=payload.critical_failed, comment=payload.comment, mystery=payload.mystery,
        item_comments=payload.item_comments, quoted_message=payload.quoted_message)
    return Status(201, _review(request, review.pk))


@router.get("/reviews/{review_id}", response={200: ReviewOut, **ERRORS})
def get_review(request, review_id: Id):
    return _review(request, review_id)


@router.post("/reviews/{review_id}/appeal", response={201: AppealCreatedOut, **ERRORS})
def appeal_review(request, review_id: Id, payload: AppealIn):
    """The reviewed agent appeals, once (R-QA-2: a second appeal → 422)."""
    appeal = services.appeal_review(actor=request.user, review_id=review_id, reason=payload.reason)
    return Status(201, appeal)


@router.post("/appeals/{appeal_id}/decide", response={200: ReviewOut, **ERRORS})
def decide_appeal(request, appeal_id: Id, payload: DecideIn):
    """A department head decides; the answer is the review with its final score."""
    review = services.decide_appeal(actor=request.user, appeal_id=appeal_id, upheld=payload.upheld,
                                    score=payload.score, note=payload.note)
    return _review(request, review.pk)


@router.get("/quota", response={200: list[QuotaOut], **ERRORS})
@paginate(PageNumber)
def quota(request, filters: Query[QuotaQuery]):
    """Each agent of the caller's scope with the reviews required (``quality.reviews_per_month.min``) and done."""
    rows = selectors.quota(request.user, _month(filters.month))
    return [{"agent": r.agent, "required": r.required, "done": r.done} for r in rows]


def _mount_sub_routers() -> None:
    from kefu.quality.api_calibration import router as calibration_router
    from kefu.quality.api_checks import router as checks_router

    router.add_router("/calibrations", calibration_router)
    router.add_router("/", checks_router)


_mount_sub_routers()
