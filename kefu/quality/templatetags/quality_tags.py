"""Template helpers of quality inspection for other apps' pages (e.g. the ticket page's "Review" button)."""

from django import template

from kefu.quality import access

register = template.Library()


@register.filter
def may_review_tickets(user) -> bool:
    """Whether ``user`` may review tickets (kefu.quality.access: QA inspectors and heads)."""
    return access.may_review(user)
