"""Huey schedule of ticket jobs (logic in jobs.py)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from kefu.tickets import jobs


@db_periodic_task(crontab(minute="*"))
def scan_ticket_time_limits():
    return jobs.scan_sla()


@db_periodic_task(crontab(minute="7"))
def remind_stuck_tickets():
    return jobs.remind_stuck()
