"""Form helpers shared by every app (one place): how every form control looks, and how a refused service
call shows on a form.

Every widget of every form is rendered by :class:`TablerFormRenderer` (``settings.FORM_RENDERER``): it gives
the controls their Tabler/Bootstrap classes on the server — ``form-control`` for inputs and text areas,
``form-select`` for selects, ``form-check-input`` for check boxes and radio buttons, ``is-invalid`` on a field
with errors — so a form swapped in by HTMX looks the same as one on a fresh page, with no script."""

from __future__ import annotations

from django.contrib import messages
from django.forms.renderers import DjangoTemplates

from kefu.core.errors import ServiceError

# Django's radio/checkbox lists as Tabler form-checks (one <label class="form-check"> per choice).
CHOICE_LIST_TEMPLATE = "core/widgets/choice_list.html"
_CHOICE_LIST_TEMPLATES = {"django/forms/widgets/radio.html", "django/forms/widgets/checkbox_select.html"}
_NO_CLASS_TYPES = {"hidden", "submit", "button", "reset", "image"}


def _add_class(attrs: dict, *names: str) -> None:
    present = (attrs.get("class") or "").split()
    attrs["class"] = " ".join([*present, *[n for n in names if n not in present]])


def _invalid(attrs: dict) -> bool:
    return str(attrs.get("aria-invalid", "")).lower() == "true"


def control_class(widget: dict) -> str | None:
    """The Tabler class for one widget's context (``None``: no class, e.g. a hidden input)."""
    kind = widget.get("type")
    if kind in _NO_CLASS_TYPES:
        return None
    if kind in ("checkbox", "radio"):
        return "form-check-input"
    if kind == "range":
        return "form-range"
    if kind == "select" or "optgroups" in widget:
        return "form-select"
    return "form-control"  # text-like inputs, file inputs and <textarea> (no type)


def style_widget(widget: dict) -> None:
    """Add the classes to a widget's context in place (its options or sub-widgets too)."""
    subwidgets = widget.get("subwidgets")
    if subwidgets:
        for sub in subwidgets:
            sub["attrs"] = dict(sub.get("attrs") or {})
            if _invalid(widget.get("attrs") or {}):
                sub["attrs"]["aria-invalid"] = "true"
            style_widget(sub)
        return
    optgroups = widget.get("optgroups")
    options = [option for _group, group_options, _index in optgroups or () for option in group_options]
    if options and options[0].get("type") in ("radio", "checkbox"):
        for option in options:
            option["attrs"] = attrs = dict(option.get("attrs") or {})
            _add_class(attrs, "form-check-input", *(["is-invalid"] if _invalid(attrs) else []))
            # the list's own element must not look like a check box
            widget["attrs"] = {k: v for k, v in (widget.get("attrs") or {}).items() if k != "class"}
        return
    name = control_class(widget)
    if name is None:
        return
    widget["attrs"] = attrs = dict(widget.get("attrs") or {})
    _add_class(attrs, name, *(["is-invalid"] if _invalid(attrs) else []))


class TablerFormRenderer(DjangoTemplates):
    """Django's template renderer that styles every widget it renders as a Tabler control."""

    def render(self, template_name, context, request=None):
        widget = context.get("widget") if isinstance(context, dict) else None
        if isinstance(widget, dict) and "attrs" in widget:
            style_widget(widget)
            if template_name in _CHOICE_LIST_TEMPLATES:
                template_name = CHOICE_LIST_TEMPLATE
        return super().render(template_name, context, request=request)


def apply_service_error(form, exc: ServiceError, request=None) -> None:
    """Show a refused service call on the form: field errors where they belong, the rest on top.

    The rule's id stays in the API's error body and in the audit trail; people read only the reason."""
    fields = set(form.fields)
    for err in exc.errors:
        form.add_error(err.field if err.field in fields else None, str(err.message))
    if not exc.errors:
        form.add_error(None, str(exc.detail))
    if request is not None and exc.rule:
        messages.error(request, str(exc.detail))
