import datetime as dt
from typing import Any

from ninja import Query, Router, Schema
from ninja.pagination import paginate

from kefu.audit.selectors import search_events
from kefu.core.api import ErrorOut, PageNumber

router = Router(tags=["audit"])


class AuditFilter(Schema):
    q: str = ""
    actor: str = ""
    action: str = ""
    object_type: str = ""
    object_id: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None


class AuditOut(Schema):
    id: int
    at: dt.datetime
    actor: str
    action: str
    object_type: str
    object_id: str
    object_repr: str
    before: Any = None
    after: Any = None
    note: str
    ip: str | None

    @staticmethod
    def resolve_actor(obj) -> str:
        return obj.actor_name


@router.get("/events", response={200: list[AuditOut], 403: ErrorOut})
@paginate(PageNumber)
def list_events(request, filters: Query[AuditFilter]):
    """The audit trail (R-AUD), newest first. Read-only: there is no write endpoint."""
    return search_events(request.user, **filters.dict())
