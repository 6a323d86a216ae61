"""Periodic work of announcements (Huey). No logic here: each task calls a service.

Hourly at :25, reminders to confirm announcements not confirmed within
``tickets.announcement_reminder_hours`` of their publication, and again every that many hours (R-TIC-10).
"""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from kefu.announcements import services


@db_periodic_task(crontab(minute="25"))
def hourly_confirmation_reminders() -> dict:
    return services.send_confirmation_reminders()
