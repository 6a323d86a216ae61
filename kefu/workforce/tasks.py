"""Periodic work of the workforce app (Huey). No logic here: each task calls a service.

Every 5 minutes: the absence job (R-WFM-5): published shifts that ended with no check-in and no approved
leave are recorded as absence (旷工), with a violation (R-ORG-4).
"""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from kefu.workforce import services


@db_periodic_task(crontab(minute="*/5"))
def record_absences() -> int:
    return services.record_absences()


@db_task()
def build_plan(proposal_id: int) -> None:
    """A shift plan proposal (issue 10): solve and write the draft shifts, reporting progress on the row."""
    from kefu.workforce.services.planning import build_proposal

    build_proposal(proposal_id=proposal_id)


@db_periodic_task(crontab(minute="*/5"))
def record_overlong_breaks() -> int:
    """R-WFM-5 away time: a break (暂停接单) still under way past ``workforce.away_minutes`` is a violation."""
    from kefu.workforce.services.breaks import record_overlong_breaks as job

    return job()


@db_periodic_task(crontab(minute="0,30"))
def remind_certificates() -> dict:
    """R-WFM-4 medical certificates: on the first day back (from 08:00) a reminder to the person, once; after it,
    a certificate still missing is flagged and the person's lead and head are told, once."""
    from kefu.workforce.services.certificates import remind_certificates as job

    return job()
