"""``{% due_rows items warning_days=… base=… %}``: the rows of the "my day" due list (R-CUS-6), built in
one pass.

A page of 50 rows through template tags (a badge, the overdue days and the pool countdown per row, each a
tag call with its arguments resolved, escaped and joined) cost ~6 ms of the page's CPU (issue 13,
bench/notes/floor.md). Here each row is one ``format_html``, and the cells that repeat — five grades, a few
distinct day counts — are built once per page. The markup is that of the tags in ``pool_countdown``."""

from django import template
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

from kefu.customers.templatetags.pool_countdown import days_overdue, grade_badge, pool_countdown

register = template.Library()

ROW = ('\n        <tr{}>\n          <td><a href="{}{}/">{}</a></td>\n          <td>{}</td>\n          <td>{}</td>\n'
       '          <td>{}</td>\n          <td>{}</td>\n        </tr>')


@register.simple_tag
def due_rows(items, warning_days=None, base="") -> SafeString:
    grades: dict = {}
    overdue: dict = {}
    countdowns: dict = {}

    def cells(i):
        if i.grade not in grades:
            grades[i.grade] = grade_badge(i.grade)
        if i.days_overdue not in overdue:
            overdue[i.days_overdue] = days_overdue(i.days_overdue)
        if i.pool_in_days not in countdowns:
            countdowns[i.pool_in_days] = pool_countdown(i.pool_in_days, warning_days=warning_days)
        return (SafeString(' class="table-danger"') if i.days_overdue else "", base, i.customer_id, i.name,
                grades[i.grade], i.next_due.isoformat(), overdue[i.days_overdue], countdowns[i.pool_in_days])

    return format_html_join("", ROW, (cells(i) for i in items))

