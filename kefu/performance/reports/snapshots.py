"""Report snapshots (R-KPI-2): a report is computed in the background (Huey ``build_report``) into a new version of
its snapshot; the page polls its progress. A published version is what the period's report is: correcting the
records later does not change it. "Recompute" makes a new version; the page shows what changed in the headline
figures between two versions. Services are keyword-only, transactional and audited; readers follow the scope."""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.audit.services import Action, record
from kefu.core.errors import NotFound, RuleViolation
from kefu.performance.models import ReportSnapshot
from kefu.performance.reports import Coverage, Period, build, coverage, parse_period

log = logging.getLogger(__name__)
READY = ReportSnapshot.State.DONE


# -- services ------------------------------------------------------------------------------------------

@transaction.atomic
def request_report(*, actor, kind: str, period: str | None = None, team_id: int | None = None) -> ReportSnapshot:
    """Queue a new version of the report (the first one, or a recomputation)."""
    cover = coverage(actor, team_id)
    when = parse_period(kind, period)
    last = (ReportSnapshot.objects.select_for_update().filter(kind=kind, period=when.key, scope=cover.scope)
            .aggregate(v=Max("version"))["v"]) or 0
    snap = ReportSnapshot.objects.create(kind=kind, period=when.key, scope=cover.scope, team_id=cover.team_id,
                                         version=last + 1, generated_by=actor, generated_at=timezone.now())
    record(actor=actor, action=Action.CREATE, obj=snap, after={"kind": kind, "period": when.key,
                                                                "scope": cover.scope, "version": snap.version})

    def enqueue():
        from kefu.performance.tasks import build_report

        build_report(snap.pk)

    transaction.on_commit(enqueue)
    return snap


def run(*, snapshot_id: int) -> ReportSnapshot | None:
    """The background job: compute the report as its requester sees it, telling the progress on the row."""
    snap = ReportSnapshot.objects.select_related("generated_by").filter(pk=snapshot_id).first()
    if snap is None or snap.state == READY:
        return snap
    ReportSnapshot.objects.filter(pk=snap.pk).update(state=ReportSnapshot.State.RUNNING, progress=1)

    def progress(percent: int) -> None:
        ReportSnapshot.objects.filter(pk=snap.pk).update(progress=max(1, min(99, int(percent))))

    try:
        user = snap.generated_by
        cover = coverage(user, snap.team_id)
        when = parse_period(snap.kind, snap.period)
        data = build(user, when, cover, progress=progress)
    except Exception as exc:  # the row says it failed; the log has the trace
        log.exception("report snapshot %s failed", snap.pk)
        ReportSnapshot.objects.filter(pk=snap.pk).update(state=ReportSnapshot.State.FAILED,
                                                         error=str(exc)[:300], progress=100)
        snap.refresh_from_db()
        return snap
    ReportSnapshot.objects.filter(pk=snap.pk).update(state=READY, progress=100, data=data,
                                                     generated_at=timezone.now())
    snap.refresh_from_db()
    return snap


@transaction.atomic
def publish(*, actor, snapshot_id: int) -> ReportSnapshot:
    """Make this version the period's report (the one published before is no longer)."""
    snap = get(actor, snapshot_id, for_update=True)
    if snap.state != READY:
        raise RuleViolation(_("Only a finished report can be published."), rule="R-KPI-2")
    if snap.published:
        return snap
    ReportSnapshot.objects.filter(kind=snap.kind, period=snap.period, scope=snap.scope, published=True).update(
        published=False)
    snap.published, snap.published_at = True, timezone.now()
    snap.save(update_fields=["published", "published_at"])
    record(actor=actor, action=Action.UPDATE, obj=snap, before={"published": False}, after={"published": True})
    return snap


# -- readers ----------------------------------------------------------------------------------------------

def get(user, snapshot_id: int, *, for_update: bool = False) -> ReportSnapshot:
    qs = ReportSnapshot.objects.select_for_update() if for_update else ReportSnapshot.objects
    snap = qs.filter(pk=snapshot_id).first()
    if snap is None:
        raise NotFound(_("No such report."))
    if coverage(user, snap.team_id).scope != snap.scope:
        raise NotFound(_("No such report."))
    return snap


def versions(period: Period, cover: Coverage) -> list[ReportSnapshot]:
    """Every version of the report, newest first (the data left out: only the headline is read)."""
    return list(ReportSnapshot.objects.filter(kind=period.kind, period=period.key, scope=cover.scope)
                .select_related("generated_by").order_by("-version"))


def current(snaps: list[ReportSnapshot]) -> ReportSnapshot | None:
    """The report of the period: the published version, else the newest finished one."""
    done = [s for s in snaps if s.state == READY]
    return next((s for s in done if s.published), done[0] if done else None)


def pending(snaps: list[ReportSnapshot]) -> ReportSnapshot | None:
    return next((s for s in snaps if s.state in (ReportSnapshot.State.QUEUED, ReportSnapshot.State.RUNNING)), None)


def diff(old: dict, new: dict) -> list[dict]:
    """The headline figures of two versions side by side: those that changed."""
    a, b = (old or {}).get("headline", {}), (new or {}).get("headline", {})
    out = []
    for key in list(dict.fromkeys([*a, *b])):
        before, after = a.get(key), b.get(key)
        if before != after:
            change = (round(after - before, 4) if isinstance(before, int | float) and isinstance(after, int | float)
                      else None)
            out.append({"key": key, "before": before, "after": after, "change": change})
    return out


def meta(snap: ReportSnapshot | None) -> dict | None:
    if snap is None:
        return None
    return {"id": snap.pk, "version": snap.version, "state": snap.state, "progress": snap.progress,
            "published": snap.published, "generated_at": snap.generated_at.isoformat(),
            "generated_by": snap.generated_by.username if snap.generated_by_id else None}
