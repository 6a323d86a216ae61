"""Periodic work of quality inspection (Huey)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from kefu.quality.summary_services import draft_weekly_summaries


@db_periodic_task(crontab(day_of_week="1", hour="6", minute="30"))
def draft_weekly_qa_summaries() -> int:
    """Each Monday morning: draft the previous ISO week's QA summary of every department (R-QA-3)."""
    return len(draft_weekly_summaries())
