"""Shared API pieces: authentication, the error format and pagination of API.md."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone, translation
from ninja import Field, Schema
from ninja.pagination import PaginationBase
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder
from ninja.security import HttpBearer, SessionAuth

from kefu.core.errors import NotAllowed


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <token>`` (API.md "Auth")."""

    def authenticate(self, request: HttpRequest, token: str):
        from kefu.org.tokens import user_for_token

        user = user_for_token(token)
        if user is not None:
            request.user = user
            if user.language:
                translation.activate(user.language)
        return user


class KefuSessionAuth(SessionAuth):
    """The pages' session, for HTMX/JS calls from the browser (CSRF checked)."""


API_AUTH = [TokenAuth(), KefuSessionAuth()]


class ErrorItem(Schema):
    field: str
    message: str


class ErrorOut(Schema):
    detail: str
    errors: list[ErrorItem] = []
    rule: str | None = None


class PageNumber(PaginationBase):
    """``?page=1&page_size=50`` → ``{"items", "count", "page", "page_size"}`` (API.md "Lists")."""

    class Input(Schema):
        page: int = Field(1, ge=1)
        page_size: int = Field(50, ge=1, le=500)

    class Output(Schema):
        items: list[Any]
        count: int
        page: int
        page_size: int

    def paginate_queryset(self, queryset, pagination: Input, request: HttpRequest | None = None, **params):
        offset = (pagination.page - 1) * pagination.page_size
        return {
            "items": list(queryset[offset : offset + pagination.page_size]),
            "count": self._items_count(queryset),
            "page": pagination.page,
            "page_size": pagination.page_size,
        }


def require_role(user, *roles: str) -> None:
    from django.utils.translation import gettext as _

    if not (user.is_superuser or user.has_role(*roles)):
        raise NotAllowed(_("Your role does not allow this."))


class LocalTimeEncoder(NinjaJSONEncoder):
    """Datetimes as ISO 8601 with the organisation's offset (API.md: "times are in the
    organisation's zone"); decimals stay strings."""

    def default(self, o):
        if isinstance(o, dt.datetime) and timezone.is_aware(o):
            return timezone.localtime(o).isoformat()
        return super().default(o)


class KefuRenderer(JSONRenderer):
    encoder_class = LocalTimeEncoder
    json_dumps_params = {"ensure_ascii": False}
