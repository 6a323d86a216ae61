"""``{% pool_countdown days %}``: how long before a customer returns to the pool 公海 (R-CUS-10).

Days left come from :func:`kefu.customers.pool.days_until_return`: 0 means today, and below 0 means the
nightly return has not run yet since the limit ran out. Both read "returns tonight", never a negative
count of days."""

from django import template

register = template.Library()


def countdown(days: int | None, *, warning: bool | None = None, warning_days: int | None = None) -> dict:
    """What the badge says: ``state`` none (cannot return: in the pool or exempt), tonight or days."""
    if days is None:
        return {"state": "none"}
    if days <= 0:
        return {"state": "tonight"}
    if warning is None:
        warning = warning_days is not None and days < warning_days
    return {"state": "days", "days": days, "warning": bool(warning)}


@register.inclusion_tag("customers/_pool_countdown.html")
def pool_countdown(days, warning=None, warning_days=None):
    return countdown(days, warning=warning, warning_days=warning_days)
