"""The HTTP JSON API under /api/v1/ (API.md). Each domain app contributes a router."""

from __future__ import annotations

from http import HTTPStatus

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Router
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from kefu.core.api import API_AUTH, ErrorOut, KefuParser, KefuRenderer
from kefu.core.errors import ServiceError, Throttled


class KefuAPI(NinjaAPI):
    """The OpenAPI document also declares the errors the framework answers for every operation."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        declare_framework_errors(schema)
        return schema


def declare_framework_errors(schema: dict) -> None:
    """Add to each operation of an OpenAPI document the error responses that come from the framework rather
    than from its handler, all with the body ``ErrorOut`` (the handlers declare their own 403/404/409/422):

    - 401 where the operation needs authentication (no or a wrong token or session);
    - 422 where it takes any parameter or body (a value of the wrong type, missing or out of range);
    - 400 where it takes a body (one that is not JSON, or not a readable form).
    """
    schemas = schema.setdefault("components", {}).setdefault("schemas", {})
    if "ErrorOut" not in schemas:
        definition = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(definition.pop("$defs", {}))
        schemas["ErrorOut"] = definition
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            statuses = []
            if operation.get("security"):
                statuses.append(401)
            if operation.get("parameters") or operation.get("requestBody"):
                statuses.append(422)
            if operation.get("requestBody"):
                statuses.append(400)
            responses = operation.setdefault("responses", {})
            for status in statuses:
                if status not in responses and str(status) not in responses:
                    responses[status] = {
                        "description": HTTPStatus(status).phrase,
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}},
                    }


api = KefuAPI(
    title="kefu 客服管理系统 API",
    version="1",
    urls_namespace="api-v1",
    auth=API_AUTH,
    docs_url="/docs",
    renderer=KefuRenderer(),
    parser=KefuParser(),
)


def _error(request, status: int, detail: str, errors=None, rule=None, headers=None):
    body = {"detail": str(detail), "errors": errors or []}
    if rule:
        body["rule"] = rule
    response = api.create_response(request, body, status=status)
    for key, value in (headers or {}).items():
        response[key] = value
    return response


def _field_name(loc) -> str:
    parts = [str(p) for p in loc if p not in {"body", "query", "path", "form", "payload"}]
    # ninja puts the parameter name (e.g. "payload") first for body schemas
    return ".".join(parts) or "__all__"


@api.exception_handler(NinjaValidationError)
def _validation(request, exc: NinjaValidationError):
    errors = []
    for err in exc.errors:
        loc = list(err.get("loc", []))
        if len(loc) >= 2 and loc[0] in {"body", "query", "path", "form"}:
            loc = loc[2:] if len(loc) > 2 and loc[0] == "body" else loc[1:]
        errors.append({"field": _field_name(loc), "message": _localized_message(err)})
    return _error(request, 422, _("The request has invalid fields."), errors)


def _localized_message(err: dict) -> str:
    kind = err.get("type", "")
    ctx = err.get("ctx") or {}
    messages = {
        "missing": _("This field is required."),
        "int_parsing": _("Enter a whole number."),
        "int_type": _("Enter a whole number."),
        "decimal_parsing": _("Enter a number."),
        "date_from_datetime_parsing": _("Enter a date as YYYY-MM-DD."),
        "date_parsing": _("Enter a date as YYYY-MM-DD."),
        "datetime_parsing": _("Enter a date and time in ISO 8601."),
        "string_type": _("Enter text."),
        "bool_parsing": _("Enter true or false."),
        "enum": _("Choose one of: %(expected)s.") % {"expected": ctx.get("expected", "")},
        "literal_error": _("Choose one of: %(expected)s.") % {"expected": ctx.get("expected", "")},
        "greater_than_equal": _("Must be at least %(ge)s.") % {"ge": ctx.get("ge", "")},
        "less_than_equal": _("Must be at most %(le)s.") % {"le": ctx.get("le", "")},
        "string_too_long": _("Too long."),
        "string_too_short": _("Too short."),
        "json_invalid": _("The body is not valid JSON."),
    }
    return str(messages.get(kind, err.get("msg", _("Invalid value."))))


@api.exception_handler(Throttled)
def _throttled(request, exc: Throttled):
    return _error(request, 429, exc.detail, headers={"Retry-After": str(exc.retry_after_seconds)})


@api.exception_handler(ServiceError)
def _service_error(request, exc: ServiceError):
    body = exc.as_dict()
    return _error(request, exc.status_code, body["detail"], body["errors"], body.get("rule"))


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return _error(request, 401, _("Log in or send a valid token."))


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return _error(request, 403, _("Your role or data scope does not allow this."))


@api.exception_handler(Http404)
def _not_found(request, exc):
    return _error(request, 404, _("Not found."))


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    if isinstance(exc.__cause__, ServiceError):  # the parser refused a readable body (KefuParser: NUL)
        return _service_error(request, exc.__cause__)
    detail = str(exc)
    if exc.status_code == 400 and detail.startswith("Cannot parse request body"):  # ninja's own, in English
        detail = _("The body is not valid JSON.")
    return _error(request, exc.status_code, detail)


def _no_such_endpoint(request, rest: str):
    """Any other URL under /api/v1/: the API's JSON 404, not Django's HTML page — also for a path segment
    a route's converter refuses (``/customers/abc`` under ``{int:customer_id}``)."""
    raise Http404


def _mount() -> None:
    from kefu.announcements.api import router as announcements_router
    from kefu.audit.api import router as audit_router
    from kefu.bizcalendar.api import router as calendar_router
    from kefu.core.api import ping_router
    from kefu.customers.api import due_router
    from kefu.customers.api import router as customers_router
    from kefu.customers.api_import import router as customer_io_router
    from kefu.knowledge.api import router as knowledge_router
    from kefu.notifications.api import router as notifications_router
    from kefu.org.api import auth_router, org_router
    from kefu.performance.api import router as performance_router
    from kefu.quality.api import router as quality_router
    from kefu.rules.api import router as rules_router
    from kefu.surveys.api import router as surveys_router
    from kefu.tickets.api import router as tickets_router
    from kefu.training.api import router as training_router
    from kefu.workforce.api import router as workforce_router

    api.add_router("/auth", auth_router)
    api.add_router("/", org_router)
    api.add_router("/calendar", calendar_router)
    api.add_router("/rules", rules_router)
    api.add_router("/audit", audit_router)
    api.add_router("/customers/io", customer_io_router)
    api.add_router("/customers", customers_router)
    api.add_router("/followups", due_router)
    api.add_router("/tickets", tickets_router)
    api.add_router("/notifications", notifications_router)
    api.add_router("/announcements", announcements_router)
    api.add_router("/knowledge", knowledge_router)
    api.add_router("/", workforce_router)
    api.add_router("/qa", quality_router)
    api.add_router("/training", training_router)
    api.add_router("/surveys", surveys_router)
    api.add_router("/", performance_router)
    api.add_router("/", ping_router)

    # keep last: the URLs no router above matched
    fallback = Router()
    fallback.add_api_operation("/{path:rest}", ["GET", "POST", "PUT", "PATCH", "DELETE"], _no_such_endpoint,
                               auth=None, include_in_schema=False)
    api.add_router("/", fallback)


_mount()
