from django.conf import settings
from django.urls import NoReverseMatch, reverse

from kefu.core.navigation import items_for


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "languages": settings.LANGUAGES}
    items = []
    for item in items_for(user):
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        active = request.path == url if url == "/" else request.path.startswith(url)
        items.append({"label": item.label, "url": url, "icon": item.icon, "active": active})
    return {"nav_items": items, "languages": settings.LANGUAGES,
            "is_admin": user.is_superuser or user.has_role("admin")}
