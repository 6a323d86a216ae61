"""Shared API pieces: authentication, the error format and pagination of API.md."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils import timezone, translation
from ninja import Field, Router, Schema
from ninja.pagination import PaginationBase
from ninja.parser import Parser
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


ping_router = Router(tags=["meta"])


class PingOut(Schema):
    ok: bool
    user: str


@ping_router.get("/ping", response={200: PingOut}, summary="Ping: an authenticated no-op")
def ping(request: HttpRequest):
    """Answers ``{"ok": true, "user": "<username>"}`` to anyone authenticated (token or session), 401
    otherwise. It reads the token (one query) and writes nothing (apart from the token's ``last_used_at``,
    touched at most once a minute as on every API call): the cheapest authenticated request, so its
    throughput is the ceiling the other endpoints are measured against (``manage.py bench_server``)."""
    return {"ok": True, "user": request.user.get_username()}


class ErrorItem(Schema):
    field: str
    message: str


class ErrorOut(Schema):
    detail: str
    errors: list[ErrorItem] = []
    rule: str | None = None


# Whole numbers the API accepts are bounded by the column they are compared with or stored in, so a
# number too large for the database is a 422 naming the field (R-ERR), never an overflow and a 500.
BIGINT_MAX = 2**63 - 1  # BigAutoField ids; SQLite's INTEGER
INTEGER_MAX = 2**31 - 1  # (Positive)IntegerField on PostgreSQL: versions, positions, numbers
SMALLINT_MAX = 2**15 - 1  # (Positive)SmallIntegerField on PostgreSQL

Id = Annotated[int, Field(ge=1, le=BIGINT_MAX, description="A database id")]
"""A database id, in a path (``/tickets/{ticket_id}``) or a body (``"customer_id"``, ``"teams": [..]``)."""

Version = Annotated[int, Field(ge=0, le=INTEGER_MAX, description="The object's version you read")]
"""The ``version`` an edit sends (optimistic locking: a stale one is a 409)."""

Position = Annotated[int, Field(ge=0, le=INTEGER_MAX)]
"""A sort position or a count stored in a PositiveIntegerField."""

PAGE_SIZE_MAX = 500
PAGE_MAX = BIGINT_MAX // PAGE_SIZE_MAX
"""The last page whose offset (and end) the database can still take as a 64-bit integer."""


class PageNumber(PaginationBase):
    """``?page=1&page_size=50`` → ``{"items", "count", "page", "page_size"}`` (API.md "Lists"). A page past
    the last one has no items; a page number whose offset no database could take is a 422 naming ``page``."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=PAGE_MAX)
        page_size: int = Field(50, ge=1, le=PAGE_SIZE_MAX)

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


class KefuParser(Parser):
    """ninja's JSON and query parsing, refusing the NUL character (``\\x00``) in any text with a 422 naming
    the field. PostgreSQL cannot store or even compare such text: it would be a 500 there (SQLite takes
    it), so every input path refuses it alike. Django's form fields already refuse it on pages."""

    def parse_body(self, request: HttpRequest):
        data = super().parse_body(request)
        _refuse_nul(data, "")
        return data

    def parse_querydict(self, data, list_fields, request: HttpRequest):
        result = super().parse_querydict(data, list_fields, request)
        _refuse_nul(result, "")
        return result


def _refuse_nul(value: Any, path: str) -> None:
    from django.utils.translation import gettext as _

    from kefu.core.errors import FieldError, InvalidInput

    bad = next(_nul_paths(value, path), None)
    if bad is not None:
        raise InvalidInput(_("The request has invalid fields."),
                           errors=[FieldError(bad or "__all__", _("Text may not contain the NUL character."))])


def _nul_paths(value: Any, path: str):
    if isinstance(value, str):
        if "\x00" in value:
            yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            name = f"{path}.{key}" if path else str(key)
            if "\x00" in str(key):
                yield name
            yield from _nul_paths(item, name)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _nul_paths(item, f"{path}.{index}" if path else str(index))
