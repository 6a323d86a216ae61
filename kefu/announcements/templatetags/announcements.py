"""``{% load announcements %}{% unconfirmed_announcements_banner %}``: the banner of the caller's
unconfirmed announcements (R-TIC-10). Needs nothing from the page's view: it reads ``request.user``."""

from django import template

from kefu.announcements.selectors import unconfirmed_summary

register = template.Library()


@register.inclusion_tag("announcements/_unconfirmed_banner.html", takes_context=True)
def unconfirmed_announcements_banner(context) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    if user is None or not user.is_authenticated:
        return {"unconfirmed": [], "unconfirmed_count": 0}
    return unconfirmed_summary(user)
