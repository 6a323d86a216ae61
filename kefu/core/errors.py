"""Errors services raise; the API and the pages turn them into responses (API.md "Errors").

A service raises these *before* it writes anything, or inside a transaction that the
raise rolls back, so a refused request changes nothing (R-ERR).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class FieldError:
    field: str
    message: str


class ServiceError(Exception):
    """Base of errors a service raises to refuse a request."""

    status_code = 400

    def __init__(self, detail: str, *, errors: list[FieldError] | None = None, rule: str | None = None):
        super().__init__(str(detail))
        self.detail = detail
        self.errors = list(errors or [])
        self.rule = rule

    def as_dict(self) -> dict:
        body: dict = {
            "detail": str(self.detail),
            "errors": [{"field": e.field, "message": str(e.message)} for e in self.errors],
        }
        if self.rule:
            body["rule"] = self.rule
        return body


class InvalidInput(ServiceError):
    """Input that fails validation: names the fields and reasons."""

    status_code = 422


class RuleViolation(ServiceError):
    """A SPEC rule refuses the request; ``rule`` names it (e.g. "R-WFM-4")."""

    status_code = 422


class NotAllowed(ServiceError):
    """Outside the caller's role or data scope (R-ORG-2)."""

    status_code = 403


class NotFound(ServiceError):
    status_code = 404


class StaleVersion(ServiceError):
    """The object changed since the caller read it (R-ERR: concurrent edits are detected)."""

    status_code = 409


class Throttled(ServiceError):
    status_code = 429

    def __init__(self, detail: str, *, retry_after_seconds: int = 60):
        super().__init__(detail)
        self.retry_after_seconds = retry_after_seconds


@dataclass
class Errors:
    """Collects field errors so a service reports all of them at once."""

    items: list[FieldError] = field(default_factory=list)

    def add(self, field_name: str, message: str) -> None:
        self.items.append(FieldError(field_name, message))

    def raise_if_any(self, detail: str) -> None:
        if self.items:
            raise InvalidInput(detail, errors=self.items)


def page_status(exc: ServiceError) -> int:
    """The HTTP status of a page that shows a refused form again: 403, 404 and 409 as they are; any other
    refusal is the form's own error (422)."""
    return exc.status_code if exc.status_code in {403, 404, 409} else 422
