"""Surveys API (SPEC R-SAT-1): RATER surveys, their rounds of links, results and trends; the public answer
endpoints that a customer's link uses without logging in."""

import datetime as dt

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from kefu.core.api import ErrorOut, Id, PageNumber, Version
from kefu.core.errors import NotFound
from kefu.surveys import access, selectors, services

router = Router(tags=["surveys"])
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class QuestionIn(Schema):
    dimension: str = Field(..., max_length=16,
                           description="reliability | assurance | tangibles | empathy | responsiveness")
    text: str = Field(..., max_length=500)


class QuestionOut(Schema):
    id: int
    dimension: str
    text: str


class SurveyOut(Schema):
    id: int
    title: str
    intro: str
    period_start: dt.date
    period_end: dt.date
    status: str
    version: int
    invited: int = 0
    answered: int = 0


class SurveyIn(Schema):
    title: str = Field(..., max_length=500)
    intro: str = Field("", max_length=2000)
    period_start: dt.date
    period_end: dt.date
    questions: list[QuestionIn] | None = Field(None, description="Omitted: the shipped RATER questionnaire.")


class SurveyPatch(SurveyIn):
    version: Version


class DimensionOut(Schema):
    code: str
    name: str
    avg: float | None


class ResultsOut(Schema):
    invited: int
    answered: int
    rate: float | None = Field(..., description="Answered over invited, from 0 to 1; null when nobody was asked.")
    overall: float | None
    dimensions: list[DimensionOut]
    teams: list[dict]
    questions: list[dict]


class SurveyDetailOut(SurveyOut):
    questions: list[QuestionOut]
    results: ResultsOut


def _detail(user, survey) -> dict:
    r = selectors.results(user, survey)
    return {
        "id": survey.pk, "title": survey.title, "intro": survey.intro, "period_start": survey.period_start,
        "period_end": survey.period_end, "status": survey.status, "version": survey.version,
        "invited": r.invited, "answered": r.answered,
        "questions": [{"id": q.pk, "dimension": q.dimension, "text": q.text} for q in survey.questions.all()],
        "results": {"invited": r.invited, "answered": r.answered, "rate": r.rate, "overall": r.overall,
                    "dimensions": r.dimensions, "teams": r.teams,
                    "questions": [{k: v for k, v in q.items() if k != "dimension_name"} for q in r.questions]},
    }


def _questions(payload: SurveyIn) -> list[dict] | None:
    return None if payload.questions is None else [q.dict() for q in payload.questions]


@router.get("", response={200: list[SurveyOut], **ERRORS})
@paginate(PageNumber)
def list_surveys(request):
    if not access.can_read(request.user):
        raise NotFound(_("No such survey."))
    return selectors.surveys(request.user)


@router.post("", response={201: SurveyDetailOut, **ERRORS})
def create_survey(request, payload: SurveyIn):
    survey = services.create_survey(actor=request.user, title=payload.title, intro=payload.intro,
                                    period_start=payload.period_start, period_end=payload.period_end,
                                    questions=_questions(payload))
    return Status(201, _detail(request.user, survey))


class TrendsQuery(Schema):
    months: int = Field(6, ge=1, le=24)


class TrendsOut(Schema):
    rater: dict
    csat: dict


@router.get("/trends", response={200: TrendsOut, **ERRORS})
def trends(request, months: Query[TrendsQuery]):
    if not access.can_read(request.user):
        raise NotFound(_("No such survey."))
    return {"rater": selectors.rater_trend(request.user, months=months.months),
            "csat": selectors.csat_trend(request.user, months=months.months)}


@router.get("/{int:survey_id}", response={200: SurveyDetailOut, **ERRORS})
def get_survey(request, survey_id: Id):
    return _detail(request.user, access.access_survey(request.user, survey_id))


@router.patch("/{int:survey_id}", response={200: SurveyDetailOut, **ERRORS})
def update_survey(request, survey_id: Id, payload: SurveyPatch):
    survey = services.update_survey(actor=request.user, survey_id=survey_id, version=payload.version,
                                    title=payload.title, intro=payload.intro, period_start=payload.period_start,
                                    period_end=payload.period_end, questions=_questions(payload))
    return _detail(request.user, survey)


class RoundIn(Schema):
    size: int | None = Field(None, ge=1, le=5000, description="Omitted: the rule setting quality.survey_sample_size.")
    seed: int | None = Field(None, ge=0, le=2**62, description="The same seed over the same data draws the "
                                                             "same customers.")


class InvitationOut(Schema):
    id: int
    customer_id: int | None
    ticket_id: int | None
    token: str
    expires_at: dt.datetime


class RoundOut(Schema):
    created: int
    invitations: list[InvitationOut]


@router.post("/{int:survey_id}/invitations", response={201: RoundOut, **ERRORS})
def send_round(request, survey_id: Id, payload: RoundIn):
    created = services.send_invitations(actor=request.user, survey_id=survey_id, size=payload.size,
                                        seed=payload.seed)
    return Status(201, {"created": len(created), "invitations": created})


class CloseIn(Schema):
    version: Version


@router.post("/{int:survey_id}/close", response={200: SurveyDetailOut, **ERRORS})
def close_survey(request, survey_id: Id, payload: CloseIn):
    survey = services.close_survey(actor=request.user, survey_id=survey_id, version=payload.version)
    return _detail(request.user, survey)


# -- the customer's link: no login ---------------------------------------------------------------------

class PublicSurveyOut(Schema):
    title: str
    intro: str
    state: str = Field(..., description="open | answered | expired")
    questions: list[QuestionOut]


class AnswerIn(Schema):
    scores: dict[str, int] = Field(..., description="Question id → 1 (strongly disagree) … 5 (strongly agree).")
    comment: str = Field("", max_length=5000)


class AnswerOut(Schema):
    state: str


@router.get("/answer/{token}", response={200: PublicSurveyOut, **ERRORS}, auth=None)
def public_survey(request, token: str):
    invitation = services.open_invitation(token)
    survey = invitation.survey
    return {"title": survey.title, "intro": survey.intro, "state": services.link_state(invitation),
            "questions": [{"id": q.pk, "dimension": q.dimension, "text": q.text} for q in survey.questions.all()]}


@router.post("/answer/{token}", response={201: AnswerOut, **ERRORS}, auth=None)
def public_answer(request, token: str, payload: AnswerIn):
    services.submit_answer(token=token, scores=payload.scores, comment=payload.comment)
    return Status(201, {"state": "answered"})
