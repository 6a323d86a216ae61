"""Every change of surveys (R-SAT-1): build a RATER survey, send it to a sample of customers, take the
one answer of a link. Keyword-only, transactional, audited; the API and the pages call these.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kefu.audit.services import Action, record, snapshot
from kefu.core.concurrency import bump_version, check_version
from kefu.core.errors import Errors, FieldError, NotFound, RuleViolation
from kefu.rules.selectors import get_rule
from kefu.surveys import access
from kefu.surveys.models import DIMENSIONS, Dimension, Invitation, Question, Response, Survey
from kefu.surveys.settings_defs import LINK_DAYS, SAMPLE_SIZE
from kefu.tickets import selectors as ticket_selectors

RULE = "R-SAT-1"
SCALE = (1, 5)  # the answer scale of every question: 1 (strongly disagree) … 5 (strongly agree)
TITLE_MAX = Survey._meta.get_field("title").max_length
INTRO_MAX = Survey._meta.get_field("intro").max_length
QUESTION_MAX = Question._meta.get_field("text").max_length
COMMENT_MAX = Response._meta.get_field("comment").max_length
QUESTIONS_MAX = 40
PERIOD_YEARS = (2000, 9998)  # a period's day must leave room to compute the day after it

# The shipped questionnaire: two statements per RATER dimension, worded for a customer-service contact.
DEFAULT_QUESTIONS: list[tuple[str, object]] = [
    (Dimension.RELIABILITY, gettext_lazy("The agent solved my problem within the time they promised.")),
    (Dimension.RELIABILITY, gettext_lazy("It was done right the first time.")),
    (Dimension.ASSURANCE, gettext_lazy("The agent knew the products and the rules well.")),
    (Dimension.ASSURANCE, gettext_lazy("The answers made me feel confident.")),
    (Dimension.TANGIBLES, gettext_lazy("It was easy to reach the service, and the waiting was clear.")),
    (Dimension.TANGIBLES, gettext_lazy("The replies and documents I received were clear and tidy.")),
    (Dimension.EMPATHY, gettext_lazy("The agent understood what I actually needed.")),
    (Dimension.EMPATHY, gettext_lazy("The agent was patient and saw things from my side.")),
    (Dimension.RESPONSIVENESS, gettext_lazy("My request was answered promptly.")),
    (Dimension.RESPONSIVENESS, gettext_lazy("The agent was willing to help me.")),
]


def default_questions() -> list[dict]:
    return [{"dimension": str(d), "text": str(t)} for d, t in DEFAULT_QUESTIONS]


def _clean_questions(errors: Errors, questions: list[dict] | None) -> list[tuple[str, str]]:
    if questions is None:
        return [(q["dimension"], q["text"]) for q in default_questions()]
    cleaned: list[tuple[str, str]] = []
    if len(questions) > QUESTIONS_MAX:
        errors.add("questions", _("A survey has at most %(n)d questions.") % {"n": QUESTIONS_MAX})
        return cleaned
    for i, q in enumerate(questions):
        dimension = str((q or {}).get("dimension") or "")
        text = " ".join(str((q or {}).get("text") or "").split())
        if dimension not in DIMENSIONS:
            errors.add(f"questions[{i}].dimension", _("Choose one of the five RATER dimensions."))
        if not text:
            errors.add(f"questions[{i}].text", _("Write the question."))
        elif len(text) > QUESTION_MAX:
            errors.add(f"questions[{i}].text",
                       _("A question has at most %(n)d characters.") % {"n": QUESTION_MAX})
        cleaned.append((dimension, text))
    missing = [str(Dimension(d).label) for d in DIMENSIONS if d not in {c[0] for c in cleaned}]
    if missing and not errors.items:
        errors.add("questions", _("Ask at least one question of each dimension; missing: %(d)s.")
                   % {"d": "、".join(missing)})
    return cleaned


def _clean_head(errors: Errors, title: str, intro: str, period_start, period_end) -> tuple[str, str]:
    title = " ".join(str(title or "").split())
    intro = str(intro or "").strip()
    if not title:
        errors.add("title", _("Give the survey a title."))
    elif len(title) > TITLE_MAX:
        errors.add("title", _("A title has at most %(n)d characters.") % {"n": TITLE_MAX})
    if len(intro) > INTRO_MAX:
        errors.add("intro", _("The introduction has at most %(n)d characters.") % {"n": INTRO_MAX})
    if not isinstance(period_start, dt.date):
        errors.add("period_start", _("Enter the first day of the period."))
    if isinstance(period_start, dt.date) and not PERIOD_YEARS[0] <= period_start.year <= PERIOD_YEARS[1]:
        errors.add("period_start", _("Choose a day between the years %(a)d and %(b)d.")
                   % {"a": PERIOD_YEARS[0], "b": PERIOD_YEARS[1]})
    if not isinstance(period_end, dt.date):
        errors.add("period_end", _("Enter the last day of the period."))
    elif not PERIOD_YEARS[0] <= period_end.year <= PERIOD_YEARS[1]:
        errors.add("period_end", _("Choose a day between the years %(a)d and %(b)d.")
                   % {"a": PERIOD_YEARS[0], "b": PERIOD_YEARS[1]})
    elif isinstance(period_start, dt.date) and period_end < period_start:
        errors.add("period_end", _("The period ends before it starts."))
    return title, intro


def _write_questions(survey: Survey, questions: list[tuple[str, str]]) -> None:
    Question.objects.bulk_create([Question(survey=survey, dimension=d, text=t, position=i)
                                  for i, (d, t) in enumerate(questions)])


@transaction.atomic
def create_survey(*, actor, title: str, period_start: dt.date, period_end: dt.date, intro: str = "",
                  questions: list[dict] | None = None) -> Survey:
    """A draft survey scoring the period; without ``questions`` it asks the shipped RATER questionnaire."""
    if not access.can_manage(actor):
        raise NotFound(_("No such survey."))
    errors = Errors()
    title, intro = _clean_head(errors, title, intro, period_start, period_end)
    cleaned = _clean_questions(errors, questions)
    errors.raise_if_any(_("The survey has invalid fields."))
    from kefu.org.models import Centre

    centre_id = actor.centre_id or Centre.objects.order_by("pk").values_list("pk", flat=True).first()
    survey = Survey.objects.create(centre_id=centre_id, title=title, intro=intro, period_start=period_start,
                                   period_end=period_end, created_by=actor)
    _write_questions(survey, cleaned)
    record(actor=actor, action=Action.CREATE, obj=survey,
           after={**snapshot(survey), "questions": [list(q) for q in cleaned]})
    return survey


@transaction.atomic
def update_survey(*, actor, survey_id: int, version: int | None, title: str, period_start: dt.date,
                  period_end: dt.date, intro: str = "", questions: list[dict] | None = None) -> Survey:
    """Edit a draft; once links have gone out the questions stay as the customers saw them."""
    survey = access.access_survey(actor, survey_id, manage=True, for_update=True)
    check_version(survey, version)
    errors = Errors()
    title, intro = _clean_head(errors, title, intro, period_start, period_end)
    cleaned = _clean_questions(errors, questions) if questions is not None else None
    if survey.status != Survey.Status.DRAFT and cleaned is not None:
        errors.add("questions", _("Links have been sent: the questions can no longer change."))
    errors.raise_if_any(_("The survey has invalid fields."))
    before = snapshot(survey)
    survey.title, survey.intro, survey.period_start, survey.period_end = title, intro, period_start, period_end
    bump_version(survey)
    survey.save()
    after = snapshot(survey)
    if cleaned is not None:
        before["questions"] = [[q.dimension, q.text] for q in survey.questions.all()]
        survey.questions.all().delete()
        _write_questions(survey, cleaned)
        after["questions"] = [list(q) for q in cleaned]
    record(actor=actor, action=Action.UPDATE, obj=survey, before=before, after=after)
    return survey


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min), timezone.get_default_timezone())


def sample(population: list[tuple[int, int, int | None]], size: int, seed: int) -> list[tuple[int, int, int | None]]:
    """``size`` rows of ``population`` drawn at random but reproducibly: the same seed and the same rows
    give the same sample, stratified by team so each team is asked in proportion to its customers."""
    if size >= len(population):
        return list(population)
    rng = random.Random(seed)  # noqa: S311 (sampling, not security)
    by_team: dict[int | None, list] = {}
    for row in sorted(population):
        by_team.setdefault(row[2], []).append(row)
    # largest remainder: each team's share of ``size``, rounded so the shares add up to ``size``
    quotas = {team: size * len(rows) / len(population) for team, rows in by_team.items()}
    counts = {team: int(q) for team, q in quotas.items()}
    order = sorted(quotas, key=lambda t: (-(quotas[t] - counts[t]), str(t)))
    for team in order[: size - sum(counts.values())]:
        counts[team] += 1
    picked: list = []
    for team in sorted(by_team, key=str):
        picked.extend(rng.sample(by_team[team], counts[team]))
    return sorted(picked)


@transaction.atomic
def send_invitations(*, actor, survey_id: int, size: int | None = None, seed: int | None = None,
                     now: dt.datetime | None = None) -> list[Invitation]:
    """Invite a sample of the customers whose tickets (in ``actor``'s scope) were resolved in the survey's
    period; customers already invited to this survey are left out. Each gets a secret link that answers
    once and expires after ``quality.survey_link_days``. Opens the survey."""
    survey = access.access_survey(actor, survey_id, manage=True, for_update=True)
    if survey.status == Survey.Status.CLOSED:
        raise RuleViolation(_("The survey is closed."), rule=RULE,
                            errors=[FieldError("survey", _("The survey is closed."))])
    errors = Errors()
    if size is None:
        size = get_rule(SAMPLE_SIZE)
    if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= 5000:
        errors.add("size", _("Ask between 1 and 5000 customers."))
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**63):
        errors.add("seed", _("The seed is a whole number from 0."))
    errors.raise_if_any(_("The request has invalid fields."))
    now = now or timezone.now()
    seed = secrets.randbelow(2**31) if seed is None else seed
    population = ticket_selectors.resolved_with_customer(
        actor, start=_day_start(survey.period_start), end=_day_start(survey.period_end + dt.timedelta(days=1)))
    invited = set(Invitation.objects.filter(survey=survey).values_list("customer_id", flat=True))
    population = [row for row in population if row[0] not in invited]
    if not population:
        raise RuleViolation(_("No customer of this period is left to ask."), rule=RULE,
                            errors=[FieldError("size", _("No customer of this period is left to ask."))])
    expires = now + dt.timedelta(days=get_rule(LINK_DAYS))
    rows = [Invitation(survey=survey, token=secrets.token_urlsafe(24), customer_id=c, ticket_id=t, team_id=team,
                       created_at=now, expires_at=expires) for c, t, team in sample(population, size, seed)]
    try:
        with transaction.atomic():
            created = Invitation.objects.bulk_create(rows)
    except IntegrityError as exc:  # another round for the same survey raced us
        raise RuleViolation(_("Another round was sent at the same time; try again."), rule=RULE) from exc
    before = snapshot(survey)
    if survey.status == Survey.Status.DRAFT:
        survey.status = Survey.Status.OPEN
        bump_version(survey)
        survey.save(update_fields=["status", "version"])
    record(actor=actor, action=Action.UPDATE, obj=survey, before=before, after=snapshot(survey),
           note=f"invited {len(created)} customers (seed {seed})")
    return created


@transaction.atomic
def close_survey(*, actor, survey_id: int, version: int | None) -> Survey:
    survey = access.access_survey(actor, survey_id, manage=True, for_update=True)
    check_version(survey, version)
    before = snapshot(survey)
    survey.status = Survey.Status.CLOSED
    bump_version(survey)
    survey.save(update_fields=["status", "version"])
    Invitation.objects.filter(survey=survey, answered_at__isnull=True, expires_at__gt=timezone.now()).update(
        expires_at=timezone.now())
    record(actor=actor, action=Action.UPDATE, obj=survey, before=before, after=snapshot(survey))
    return survey


def open_invitation(token: str, *, for_update: bool = False) -> Invitation:
    """The invitation of a public link; an unknown token is a 404 (the link reveals nothing else)."""
    token = str(token or "")
    qs = Invitation.objects.select_related("survey")
    if for_update:
        qs = qs.select_for_update()
    invitation = qs.filter(token=token).first() if 0 < len(token) <= 64 else None
    if invitation is None:
        raise NotFound(_("This survey link does not exist."))
    return invitation


def link_state(invitation: Invitation, now: dt.datetime | None = None) -> str:
    """"answered", "expired" or "open"."""
    if invitation.answered_at is not None:
        return "answered"
    if invitation.expires_at <= (now or timezone.now()):
        return "expired"
    return "open"


def _average(values: list[int]) -> Decimal | None:
    if not values:
        return None
    return (Decimal(sum(values)) / len(values)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@transaction.atomic
def submit_answer(*, token: str, scores: dict, comment: str = "", now: dt.datetime | None = None) -> Response:
    """The customer's answer through their link (no login): every question scored from 1 to 5. A link
    answers once (a second answer → 422, R-SAT-1) and not after it expired."""
    invitation = open_invitation(token, for_update=True)
    now = now or timezone.now()
    state = link_state(invitation, now)
    if state == "answered":
        raise RuleViolation(_("This survey link has already been answered. Thank you!"), rule=RULE,
                            errors=[FieldError("token", _("Already answered."))])
    if state == "expired":
        raise RuleViolation(_("This survey link has expired."), rule=RULE,
                            errors=[FieldError("token", _("The link has expired."))])
    questions = list(invitation.survey.questions.all())
    errors = Errors()
    scores = scores if isinstance(scores, dict) else {}
    clean: dict[str, int] = {}
    for q in questions:
        value = scores.get(str(q.pk), scores.get(q.pk))
        if isinstance(value, str) and value.strip().isdecimal() and len(value.strip()) <= 2:
            value = int(value.strip())
        if value is None or value == "":
            errors.add(f"q{q.pk}", _("Please answer this question."))
        elif isinstance(value, bool) or not isinstance(value, int) or not SCALE[0] <= value <= SCALE[1]:
            errors.add(f"q{q.pk}", _("Choose from 1 to 5."))
        else:
            clean[str(q.pk)] = value
    known = {str(q.pk) for q in questions}
    for key in scores:
        if str(key) not in known:
            errors.add(f"q{key}", _("This question is not part of the survey."))
    comment = str(comment or "").strip()
    if len(comment) > COMMENT_MAX:
        errors.add("comment", _("The comment has at most %(n)d characters.") % {"n": COMMENT_MAX})
    if "\x00" in comment:
        errors.add("comment", _("The comment contains a character that cannot be stored."))
    errors.raise_if_any(_("Some answers are missing or invalid."))
    per_dimension: dict[str, list[int]] = {d: [] for d in DIMENSIONS}
    for q in questions:
        per_dimension[q.dimension].append(clean[str(q.pk)])
    averages = {d: _average(v) for d, v in per_dimension.items()}
    response = Response.objects.create(invitation=invitation, survey=invitation.survey, team_id=invitation.team_id,
                                       submitted_at=now, scores=clean, comment=comment,
                                       overall=_average(list(clean.values())), **averages)
    invitation.answered_at = now
    invitation.save(update_fields=["answered_at"])
    record(actor=None, action=Action.CREATE, obj=response, actor_name="customer",
           after={"survey": invitation.survey_id, "invitation": invitation.pk, "overall": response.overall})
    return response



def record_links_export(*, actor, survey: Survey) -> None:
    """R-AUD: the links carry customers' names; their download is recorded like every export of personal data."""
    record(actor=actor, action=Action.EXPORT, obj=survey, note="survey links (CSV)")
