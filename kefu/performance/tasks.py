"""Background work of performance (Huey). No logic here: each task calls a service.

- ``build_report``: compute one report snapshot (R-KPI-2), queued by ``reports.snapshots.request_report``.
- Every minute: bring the daily KPI aggregates up to date (today, yesterday just after midnight, stale days).
- Every day at 09:00: on the reminder day, tell the department heads the monthly analysis is due (R-KPI-2).
"""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task


@db_task()
def build_report(snapshot_id: int) -> None:
    from kefu.performance.reports.snapshots import run

    run(snapshot_id=snapshot_id)


@db_periodic_task(crontab(hour="9", minute="0"))
def remind_monthly_report() -> int:
    from kefu.performance.reports.reminders import remind_monthly_report as job

    return job()


@db_periodic_task(crontab(minute="*"))
def refresh_kpi() -> int:
    from kefu.performance.aggregates import refresh_current

    return len(refresh_current())
