"""The weekly QA summary (R-QA-3): drafted each Monday for the previous ISO week per department (a Huey
job, ``kefu.quality.tasks``), edited and published by a department head or QA inspector. Publishing
proposes training for the agents' weak items (``kefu.training.services.propose_plan_from_weak_items``: the
courses whose tags name the scorecard items) and tells the department's agents and leads.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kefu.audit.services import Action, record, snapshot
from kefu.core.concurrency import bump_version, check_version
from kefu.core.errors import Errors, RuleViolation
from kefu.notifications.services import notify
from kefu.org.roles import Role
from kefu.quality import access, summary_selectors
from kefu.quality.models import WeeklySummary
from kefu.rules.selectors import get_rule

RULE = "R-QA-3"
TEXT_MAX = 20000


def draft_text(figures: dict, week_start: dt.date, department: str) -> str:
    """The draft the head edits: the week's figures in sentences."""
    lines = [_("QA summary of %(department)s, week %(week)s (%(start)s – %(end)s)") % {
        "department": department, "week": f"{week_start:%G-W%V}", "start": f"{week_start:%Y-%m-%d}",
        "end": f"{week_start + dt.timedelta(days=6):%Y-%m-%d}"}, ""]
    if figures["reviews"]:
        lines.append(_("%(n)s reviews, average score %(average)s.") % {"n": figures["reviews"],
                                                                      "average": figures["average"]})
    else:
        lines.append(_("No reviews this week."))
    lines += ["", _("Common problems:")]
    lines += [_("- %(item)s: lost points in %(n)s reviews") % {"item": r["name"], "n": r["losing"]}
              for r in figures["common"]] or [_("- none")]
    lines += ["", _("Weak items (短板) per agent:")]
    lines += [f"- {w['agent']}: {'、'.join(w['items'])}" for w in figures["weak"]] or [_("- none")]
    lines += ["", _("Automatic checks (flags this week / last week):")]
    lines += [f"- {t['label']}: {t['this']} / {t['last']}" for t in figures["trends"] if t["this"] or t["last"]] \
        or [_("- no flags")]
    lines += ["", _("Proposed training: the courses for each agent's weak items (proposed when published).")]
    return "\n".join(lines)


@transaction.atomic
def draft_weekly_summary(*, department, week_start: dt.date) -> WeeklySummary:
    """A system action: the draft of ``department``'s summary for the week starting ``week_start`` (a
    Monday). A summary already drafted for that week is left as it is (the head may have edited it)."""
    week_start = summary_selectors.monday(week_start)
    existing = WeeklySummary.objects.filter(department=department, week_start=week_start).first()
    if existing is not None:
        return existing
    figures = summary_selectors.weekly_figures(department_id=department.pk, week_start=week_start,
                                               centre_id=department.centre_id)
    summary = WeeklySummary.objects.create(
        centre_id=department.centre_id, department=department, week_start=week_start, figures=figures,
        text=draft_text(figures, week_start, department.name), created_at=timezone.now())
    record(actor=None, action=Action.CREATE, obj=summary, after=snapshot(summary, ["department", "week_start"]),
           note=RULE)
    return summary


def draft_weekly_summaries(*, today: dt.date | None = None) -> list[WeeklySummary]:
    """The Monday job: a draft for the previous ISO week for every service department with agents."""
    from kefu.org.models import Department

    week_start = summary_selectors.previous_week(today or timezone.localdate())
    made = []
    for department in Department.objects.filter(kind=Department.Kind.SERVICE).order_by("centre_id", "name"):
        if summary_selectors.department_agents(department.pk).exists():
            made.append(draft_weekly_summary(department=department, week_start=week_start))
    return made


def _clean_text(errors: Errors, text) -> str:
    text = (text or "").strip()
    if not text:
        errors.add("text", _("Write the summary."))
    elif len(text) > TEXT_MAX:
        errors.add("text", _("At most %(n)s characters.") % {"n": TEXT_MAX})
    return text


@transaction.atomic
def save_summary(*, actor, summary_id: int, text: str, version: int | None) -> WeeklySummary:
    """A head or QA inspector edits the text (a draft or a published summary)."""
    access.require_summary_editor(actor)
    summary = access.access_summary(actor, summary_id, for_update=True)
    check_version(summary, version)
    errors = Errors()
    text = _clean_text(errors, text)
    errors.raise_if_any(_("The summary was not saved."))
    before = snapshot(summary, ["text"])
    summary.text = text
    bump_version(summary)
    summary.save(update_fields=["text", "version"])
    record(actor=actor, action=Action.UPDATE, obj=summary, before=before, after=snapshot(summary, ["text"]))
    return summary


@transaction.atomic
def publish_summary(*, actor, summary_id: int, text: str, version: int | None) -> WeeklySummary:
    """Publish (with the text as edited): training is proposed for the weak items of the week (due in
    ``quality.summary_training_days``) and the department's agents and leads are told."""
    from kefu.training.services import propose_plan_from_weak_items

    access.require_summary_editor(actor)
    summary = access.access_summary(actor, summary_id, for_update=True)
    check_version(summary, version)
    errors = Errors()
    text = _clean_text(errors, text)
    if summary.status == WeeklySummary.Status.PUBLISHED:
        raise RuleViolation(_("This summary is already published."), rule=RULE)
    errors.raise_if_any(_("The summary was not published."))
    weak = {int(w["agent_id"]): list(w["items"]) for w in summary.figures.get("weak", []) if w.get("items")}
    if weak:
        days = get_rule("quality.summary_training_days", centre_id=summary.centre_id)
        proposal = propose_plan_from_weak_items(
            actor=actor, weak_items=weak, due=timezone.localdate() + dt.timedelta(days=days),
            title=_("Training from the QA summary of week %(week)s") % {"week": f"{summary.week_start:%G-W%V}"})
        summary.training_plan_id = proposal.plan.pk if proposal.plan is not None else None
    before = snapshot(summary, ["status", "text"])
    summary.text = text
    summary.status = WeeklySummary.Status.PUBLISHED
    summary.published_at = timezone.now()
    summary.published_by = actor
    bump_version(summary)
    summary.save()
    record(actor=actor, action=Action.TRANSITION, obj=summary, before=before,
           after={**snapshot(summary, ["status", "text"]), "training_plan": summary.training_plan_id}, note=RULE)
    readers = summary_selectors.department_people(summary.department_id, (Role.AGENT, Role.LEAD))
    notify(recipients=readers, kind="qa_summary", title=gettext_lazy("The weekly QA summary is out"),
           body=f"{summary.department.name} {summary.week_start:%G-W%V}",
           url=reverse("quality:summary", args=[summary.pk]))
    return summary
