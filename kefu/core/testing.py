"""Helpers for tests."""

from django.utils import translation


def zh(msgid: str, **params) -> str:
    """``msgid`` as the default (Chinese) interface shows it, with ``params`` filled in: pages and messages
    answer in the person's language, which is Chinese unless they chose English."""
    with translation.override("zh-hans"):
        text = translation.gettext(msgid)
    return text % params if params else text
