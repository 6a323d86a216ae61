"""``{% pool_countdown days %}``: how long before a customer returns to the pool 公海 (R-CUS-10).

Days left come from :func:`kefu.customers.pool.days_until_return`: 0 means today, and below 0 means the
nightly return has not run yet since the limit ran out. Both read "returns tonight", never a negative
count of days.

The badge is built here rather than by an included template: lists show it on every row, and an
inclusion tag with a ``blocktranslate`` cost ~0.3 ms a row ("my day", issue 13). ``{% grade_badge g %}``
likewise stands for ``customers/_grade.html`` where a page shows many rows."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

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


@register.simple_tag
def pool_countdown(days, warning=None, warning_days=None) -> SafeString:
    state = countdown(days, warning=warning, warning_days=warning_days)
    if state["state"] == "tonight":
        return format_html('<span class="badge bg-red text-red-fg" data-testid="pool-countdown" title="{}">{}</span>',
                           gettext("Returns to the pool at the next run of the nightly job"),
                           gettext("returns to the pool tonight"))
    if state["state"] == "days":
        return format_html('<span class="badge {}" data-testid="pool-countdown" title="{}">{}</span>',
                           "bg-red-lt" if state["warning"] else "bg-secondary-lt",
                           gettext("Days until the customer returns to the pool"),
                           ngettext("pool in %(days)s day", "pool in %(days)s days", days) % {"days": days})
    return mark_safe("")  # noqa: S308 - an empty string


GRADE_CLASSES = {"A": "bg-red text-red-fg", "B": "bg-orange text-orange-fg", "C": "bg-yellow text-yellow-fg",
                 "D": "bg-azure text-azure-fg"}


@register.simple_tag
def grade_badge(grade) -> SafeString:
    """The markup of ``customers/_grade.html``, without an include per row."""
    return format_html('<span class="badge grade-{} {}" data-testid="grade">{}</span>', grade,
                       GRADE_CLASSES.get(grade, "bg-secondary text-secondary-fg"), grade)


@register.simple_tag
def days_overdue(days) -> str:
    """"3 days" (or "—" for none), as the due lists' overdue column says it."""
    return ngettext("%(n)s day", "%(n)s days", days) % {"n": days} if days else "—"
