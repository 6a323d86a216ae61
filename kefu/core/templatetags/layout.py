"""Tags of the layout (base.html), which every page renders.

``{% asset 'vendor/htmx/htmx.min.js' %}`` is ``{% static %}`` looked up once per process: the manifest
storage of production (hashed names) resolves each name on every call, and the layout names seven."""

import functools

from django import template
from django.conf import settings
from django.templatetags.static import static

register = template.Library()


@functools.lru_cache(maxsize=256)
def _asset(path: str, static_url: str, storage: str) -> str:
    return static(path)


@register.simple_tag
def asset(path: str) -> str:
    return _asset(path, settings.STATIC_URL, settings.STORAGES["staticfiles"]["BACKEND"])
