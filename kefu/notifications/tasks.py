"""Background work of notifications (Huey). No logic here: each task calls a service."""

from huey.contrib.djhuey import db_task

from kefu.notifications import services


@db_task()
def send_notification_emails(jobs: list[tuple[int, str, str]]) -> int:
    """E-mail the notifications ``(id, address, language)`` once each (queued after a commit)."""
    return services.deliver_emails(jobs)
