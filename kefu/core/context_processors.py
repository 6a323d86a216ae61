from django.conf import settings
from django.urls import NoReverseMatch, reverse

from kefu.core.navigation import GROUPS, items_for


def navigation(request):
    """``nav_items`` (flat) and ``nav_groups`` (the menus of the navbar: one link when a group has a single
    entry, a dropdown otherwise)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "nav_groups": [], "languages": settings.LANGUAGES}
    items = []
    for item in items_for(user):
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        items.append({"label": item.label, "url": url, "icon": item.icon, "active": False, "group": item.group})
    # the entry with the longest URL that starts the current path is the active one
    matches = [i for i in items if request.path == i["url"] or (i["url"] != "/" and request.path.startswith(i["url"]))]
    if matches:
        max(matches, key=lambda i: len(i["url"]))["active"] = True
    groups = []
    for group in GROUPS:
        members = [i for i in items if i["group"] == group.key]
        if members:
            groups.append({"label": group.label, "icon": group.icon, "items": members,
                           "active": any(i["active"] for i in members)})
    return {"nav_items": items, "nav_groups": groups, "languages": settings.LANGUAGES,
            "is_admin": user.is_superuser or user.has_role("admin"),
            # QA inspectors read tickets and customers and change neither (pages hide write forms)
            "read_only_role": not user.is_superuser and bool(user.role_codes) and user.role_codes <= {"qa"}}
