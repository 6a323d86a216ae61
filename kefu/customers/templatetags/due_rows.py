"""``{% due_rows items warning_days=… base=… %}``: the rows of the "my day" due list (R-CUS-6), built in
one pass.

A page of 50 rows through template tags (a badge, the overdue days and the pool countdown per row, each a
tag call with its arguments resolved, escaped and joined) cost ~6 ms of the page's CPU (issue 13,
bench/notes/floor.md). Here a row is one string: the name escaped, and the cells that repeat — five grades,
a few distinct day counts — built once per page by the tags of ``pool_countdown`` (same markup)."""

from django import template
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe

from kefu.customers.templatetags.pool_countdown import days_overdue, grade_badge, pool_countdown

register = template.Library()

DANGER = ' class="table-danger"'


@register.simple_tag
def due_rows(items, warning_days=None, base="") -> SafeString:
    base = escape(base)
    grades: dict = {}
    overdue: dict = {}
    countdowns: dict = {}
    rows = []
    for i in items:
        grade = grades.get(i.grade)
        if grade is None:
            grade = grades[i.grade] = grade_badge(i.grade)
        late = overdue.get(i.days_overdue)
        if late is None:
            late = overdue[i.days_overdue] = conditional_escape(days_overdue(i.days_overdue))
        countdown = countdowns.get(i.pool_in_days)
        if countdown is None:
            countdown = countdowns[i.pool_in_days] = pool_countdown(i.pool_in_days, warning_days=warning_days)
        rows.append(f'\n        <tr{DANGER if i.days_overdue else ""}>\n'
                    f'          <td><a href="{base}{int(i.customer_id)}/">{escape(i.name)}</a></td>\n'
                    f'          <td>{grade}</td>\n          <td>{i.next_due.isoformat()}</td>\n'
                    f'          <td>{late}</td>\n          <td>{countdown}</td>\n        </tr>')
    # every part escaped above: the name and link by escape(), the cells by the tags that build them
    return mark_safe("".join(rows))  # noqa: S308
