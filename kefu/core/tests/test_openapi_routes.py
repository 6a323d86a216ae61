"""No route of the API is shadowed (issue 8): every path and method the OpenAPI document declares
reaches its own operation.

``POST /api/v1/customers/reassign`` answered 405 (``Allow: GET, PATCH``) for months: the route
``/customers/{customer_id}``, declared first, captured "reassign" as a customer id. This test walks
every operation of ``/api/v1/openapi.json`` — all apps — through the HTTP test client with its declared
method and asserts that (1) the URL resolves to the route of the declared path, not to another one,
and (2) the answer is not 405 Method Not Allowed.
"""

from __future__ import annotations

import re

import pytest
from django.urls import resolve

pytestmark = pytest.mark.django_db

METHODS = ("get", "post", "put", "patch", "delete")
ABSENT_ID = "987654"  # an id no demo object has: handlers answer 404 quickly, nothing is changed


def _sample(parameter: dict) -> str:
    schema = parameter.get("schema", {})
    kinds = {schema.get("type")} | {s.get("type") for s in schema.get("anyOf", [])}
    if "integer" in kinds or "number" in kinds:
        return ABSENT_ID
    if schema.get("format") == "date":
        return "2026-01-05"
    return "sample"


def _url(path: str, operation: dict) -> str:
    params = {p["name"]: _sample(p) for p in operation.get("parameters", []) if p.get("in") == "path"}
    return re.sub(r"\{(\w+)\}", lambda m: params.get(m.group(1), "sample"), path)


def _route_template(url: str) -> str:
    """The declared path the URL resolved to, written as OpenAPI writes it ("{name}")."""
    route = resolve(url).route
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)


def _operations(client) -> list[tuple[str, str, dict]]:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()
    return [(path, method, operation) for path, item in document["paths"].items()
            for method, operation in item.items() if method in METHODS]


def test_r_err_the_openapi_document_lists_the_customer_routes(clients):
    operations = {(method, path) for path, method, _o in _operations(clients("admin"))}
    assert ("post", "/api/v1/customers/reassign") in operations
    assert ("get", "/api/v1/customers/{customer_id}") in operations
    assert len(operations) > 50  # every app's router is mounted


def test_r_err_no_route_is_shadowed_every_declared_method_reaches_its_operation(demo, clients):
    client = clients("admin")
    shadowed, wrong_route = [], []
    for path, method, operation in _operations(client):
        url = _url(path, operation)
        resolved = _route_template(url)
        if resolved != path:
            wrong_route.append(f"{method.upper()} {path} → resolves to {resolved}")
        send = getattr(client, method)
        response = send(url, "{}", content_type="application/json") if method in {"post", "put", "patch"} \
            else send(url)
        if response.status_code == 405:
            shadowed.append(f"{method.upper()} {path} → 405, Allow: {response.get('Allow')}")
    assert not shadowed, "\n".join(shadowed)
    assert not wrong_route, "\n".join(wrong_route)
