"""Periodic and on-demand work of the customer archive (Huey). No logic here: each task calls a job.

Nightly (server time zone): 02:10 value scores and tiers, then churn flags (R-CUS-7, R-CUS-8);
02:30 return of neglected customers to the pool, then the warnings before return (R-CUS-10);
02:50 care tasks (R-CUS-9). Hourly at :05, overdue follow-up reminders (R-CUS-6).
"""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from kefu.customers import care, churn, pool, reminders, value


@db_periodic_task(crontab(minute="10", hour="2"))
def nightly_values_and_churn() -> dict:
    """Recompute every customer's value score and tier, then the churn flags of the VIPs."""
    result = value.recompute_values()
    result["at_risk"] = churn.refresh_churn()
    return result


@db_periodic_task(crontab(minute="30", hour="2"))
def nightly_pool() -> dict:
    """Return neglected customers to the pool, then warn owners of the customers about to return."""
    return {"returned": pool.return_neglected(), "warned": pool.warn_before_return()}


@db_periodic_task(crontab(minute="50", hour="2"))
def daily_care_tasks() -> int:
    return care.generate_care_tasks()


@db_periodic_task(crontab(minute="5"))
def hourly_overdue_reminders() -> dict:
    return reminders.send_overdue_reminders()


@db_task()
def recompute_values_now(centre_id: int | None = None) -> dict:
    """On demand (e.g. after an import or a change of the weights): a whole centre, then its churn flags."""
    result = value.recompute_values(centre_id=centre_id)
    result["at_risk"] = churn.refresh_churn(centre_id=centre_id)
    return result


@db_task()
def recompute_value_of(customer_id: int) -> float:
    """On demand for one customer (e.g. after an order was recorded)."""
    return value.recompute_value_for(customer_id).value_score
