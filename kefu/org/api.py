"""API: auth tokens, /me and the organisation's read endpoints (API.md "Auth")."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from kefu.core.api import ErrorOut, Id, PageNumber
from kefu.core.errors import ServiceError
from kefu.core.http import client_ip
from kefu.org import selectors
from kefu.org.auth import authenticate_throttled
from kefu.org.models import User
from kefu.org.scope import scope_for
from kefu.org.tokens import issue_token, revoke_token

auth_router = Router(tags=["auth"])
org_router = Router(tags=["organisation"])


class Credentials(Schema):
    username: str
    password: str
    name: str = ""


class TokenOut(Schema):
    token: str
    expires_at: dt.datetime


class Unauthenticated(ServiceError):
    status_code = 401


@auth_router.post("/token", auth=None, response={200: TokenOut, 401: ErrorOut, 422: ErrorOut, 429: ErrorOut})
def create_token(request, payload: Credentials):
    user = authenticate_throttled(request, payload.username, payload.password)
    if user is None:
        raise Unauthenticated(_("Wrong username or password."))
    token, secret = issue_token(user=user, name=payload.name or "api", ip=client_ip(request))
    return {"token": secret, "expires_at": token.expires_at}


class TokenInfo(Schema):
    id: int
    name: str
    prefix: str
    created_at: dt.datetime
    expires_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


@auth_router.get("/tokens", response=list[TokenInfo])
def list_tokens(request):
    return list(request.user.api_tokens.order_by("-id"))


@auth_router.delete("/tokens/{token_id}", response={204: None, 403: ErrorOut, 404: ErrorOut})
def delete_token(request, token_id: Id):
    revoke_token(actor=request.user, token_id=token_id)
    return Status(204, None)


@auth_router.delete("/token", response={204: None})
def delete_current_token(request):
    """Revoke the token this request was made with (log out of an integration)."""
    token_id = getattr(request.user, "_api_token_id", None)
    if token_id is not None:
        revoke_token(actor=request.user, token_id=token_id)
    return Status(204, None)


class Ref(Schema):
    id: int
    name: str


class ShopOut(Schema):
    id: int
    code: str
    name: str


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    roles: list[str]
    language: str
    centre: Ref | None
    department: Ref | None
    team: Ref | None
    scope: str
    shops: list[ShopOut]


def _ref(obj) -> dict | None:
    return {"id": obj.pk, "name": obj.name} if obj is not None else None


@org_router.get("/me", response=MeOut, tags=["auth"])
def me(request):
    user: User = request.user
    scope = scope_for(user)
    return {
        "id": user.pk,
        "username": user.username,
        "display_name": str(user),
        "roles": sorted(user.role_codes),
        "language": user.language or "zh-hans",
        "centre": _ref(user.centre),
        "department": _ref(user.department),
        "team": _ref(user.team),
        "scope": scope.level,
        "shops": list(selectors.shops_in_scope(user)),
    }


class DepartmentOut(Schema):
    id: int
    name: str
    kind: str


class TeamOut(Schema):
    id: int
    name: str
    department: Ref
    shops: list[str]

    @staticmethod
    def resolve_shops(obj) -> list[str]:
        return [s.code for s in obj.shops.all()]


class PersonOut(Schema):
    id: int
    username: str
    display_name: str
    roles: list[str]
    department: Ref | None
    team: Ref | None

    @staticmethod
    def resolve_display_name(obj) -> str:
        return str(obj)

    @staticmethod
    def resolve_roles(obj) -> list[str]:
        return sorted(obj.role_codes)

    @staticmethod
    def resolve_department(obj):
        return _ref(obj.department)

    @staticmethod
    def resolve_team(obj):
        return _ref(obj.team)


@org_router.get("/org/departments", response=list[DepartmentOut], tags=["organisation"])
def list_departments(request):
    return list(selectors.departments_of_centre(request.user))


@org_router.get("/org/teams", response=list[TeamOut], tags=["organisation"])
def list_teams(request):
    return list(selectors.teams_in_scope(request.user))


@org_router.get("/org/shops", response=list[ShopOut], tags=["organisation"])
def list_shops(request):
    return list(selectors.shops_in_scope(request.user))


@org_router.get("/org/people", response=list[PersonOut], tags=["organisation"])
@paginate(PageNumber)
def list_people(request):
    return selectors.people_in_scope(request.user)


@org_router.get("/org/people/{person_id}", response={200: PersonOut, 404: ErrorOut}, tags=["organisation"])
def get_person(request, person_id: Id):
    return selectors.access_person(request.user, person_id)
