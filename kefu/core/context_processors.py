"""What every page's layout (base.html) needs. Every page pays for it, so what does not depend on the person
is computed once per process: the menu per (roles, language), its HTML per active entry, the layout's URLs
and the notification bell per language (bench/notes/floor.md)."""

import functools

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.functional import SimpleLazyObject
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from kefu.core.navigation import GROUPS, active_url, audience, menu
from kefu.org.roles import Role

LAYOUT_URLS = ("home", "set_language", "password_change", "logout", "admin:index")


def _urls_key() -> tuple:
    """What a resolved URL depends on besides its name: the script prefix and the URL configuration."""
    return get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF


def _menus(entries, active: str | None) -> tuple[list[dict], list[dict]]:
    """The entries as dicts (in menu order) and the menus of the navbar: one link when a group has a single
    entry, a dropdown otherwise."""
    items = [{"label": e.label, "url": e.url, "icon": e.icon, "active": e.url == active, "group": e.group}
             for e in entries]
    groups = []
    for group in GROUPS:
        members = [i for i in items if i["group"] == group.key]
        if members:
            groups.append({"label": str(group.label), "icon": group.icon, "items": members,
                           "active": any(i["active"] for i in members)})
    return items, groups


@functools.lru_cache(maxsize=512)  # a menu is 4–8 KiB: at most ~4 MiB a worker, far less in practice
def _menu_html(roles: frozenset[str], language: str, urls_key: tuple, active: str | None) -> SafeString:
    """The navbar's menu (``core/nav_menu.html``) of an audience with one entry active, rendered once."""
    return mark_safe(render_to_string(  # noqa: S308 - a template's output, escaped by it
        "core/nav_menu.html", {"nav_groups": _menus(menu(roles, language, urls_key), active)[1]}))


@functools.lru_cache(maxsize=64)
def _layout(language: str, urls_key: tuple) -> dict:
    """The layout's links and the notification bell (``notifications/bell.html``: links and labels only,
    the same for everyone), per language."""
    return {"urls": {name.replace(":", "_"): reverse(name) for name in LAYOUT_URLS},
            "bell": mark_safe(render_to_string("notifications/bell.html"))}  # noqa: S308 - a template's output


@functools.lru_cache(maxsize=256)
def _role_names(role_codes: frozenset[str], language: str) -> str:
    """The person's roles as the account menu says them ("Agent · Team lead"), in the roles' order."""
    return " · ".join(str(label) for code, label in Role.choices if code in role_codes)


def navigation(request):
    """``nav_menu`` (the navbar's menu, HTML), ``nav_items`` (flat) and ``nav_groups`` (the menus: one link
    when a group has a single entry, a dropdown otherwise; both built only when a template or test reads
    them), ``layout_urls``, ``nav_bell``, ``nav_role_names``, ``languages``, ``is_admin`` and
    ``read_only_role``."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "nav_groups": [], "languages": settings.LANGUAGES}
    roles = audience(user)
    language = get_language()
    urls_key = _urls_key()
    entries = menu(roles, language, urls_key)
    active = active_url(entries, request.path)
    menus = SimpleLazyObject(lambda: _menus(entries, active))
    layout = _layout(language, urls_key)
    return {"nav_menu": _menu_html(roles, language, urls_key, active),
            "nav_items": SimpleLazyObject(lambda: menus[0]), "nav_groups": SimpleLazyObject(lambda: menus[1]),
            "layout_urls": layout["urls"], "nav_bell": layout["bell"],
            "nav_role_names": _role_names(user.role_codes, language),
            "languages": settings.LANGUAGES,
            "is_admin": user.is_superuser or user.has_role("admin"),
            # QA inspectors read tickets and customers and change neither (pages hide write forms)
            "read_only_role": not user.is_superuser and bool(user.role_codes) and user.role_codes <= {"qa"}}
