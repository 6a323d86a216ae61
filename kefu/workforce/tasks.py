"""Periodic work of the workforce app (Huey). No logic here: each task calls a service.

Every 5 minutes: the absence job (R-WFM-5): published shifts that ended with no check-in and no approved
leave are recorded as absence (旷工), with a violation (R-ORG-4).
"""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from kefu.workforce import services


@db_periodic_task(crontab(minute="*/5"))
def record_absences() -> int:
    return services.record_absences()
