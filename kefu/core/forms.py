"""Page helpers shared by every app's views (one place)."""

from django.contrib import messages

from kefu.core.errors import ServiceError


def apply_service_error(form, exc: ServiceError, request=None) -> None:
    """Show a refused service call on the form: field errors where they belong, the rest on top."""
    fields = set(form.fields)
    for err in exc.errors:
        form.add_error(err.field if err.field in fields else None, str(err.message))
    if not exc.errors:
        form.add_error(None, str(exc.detail))
    if request is not None and exc.rule:
        messages.error(request, f"{exc.detail} ({exc.rule})")
