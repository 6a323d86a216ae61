"""The ticket page's action forms as HTML, built once (issue 13): an empty form's markup depends on the
language and on its choices, not on the ticket, so it is rendered through ``components/form.html`` once per
process and reused; the edit form's by its choices, with the ticket's texts put in afterwards (escaped the
way the template escapes them). A form sent back with errors is rendered as before, every time. The page
asks for a form's HTML only when it shows that form's panel (``FormsHtml``: rendered on first use).
kefu/tickets/tests/test_detail_html.py compares the page byte for byte with the template rendering."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

_CACHE: dict[tuple, str] = {}
_CACHE_MAX = 512  # distinct (language, form, choices) keys; emptied when full (a few centres' departments)
_OPEN, _CLOSE = "\ue000", "\ue001"  # private-use characters: markers for the edit form's texts
_EDIT_TEXTS = ("title", "description", "tags", "root_cause")


def render_form(form) -> SafeString:
    return render_to_string("components/form.html", {"form": form})


def _cached(key: tuple, build) -> SafeString:
    html = _CACHE.get(key)
    if html is None:
        if len(_CACHE) >= _CACHE_MAX:
            _CACHE.clear()
        html = _CACHE[key] = str(build())
    return mark_safe(html)  # noqa: S308 - markup rendered by the form template


def _choices_key(form) -> tuple:
    return tuple((name, tuple((str(v), str(label)) for v, label in field.choices))
                 for name, field in form.fields.items() if hasattr(field, "choices"))


def form_html(name: str, form) -> SafeString:
    """``components/form.html`` for one of the page's forms; the same for every ticket unless bound."""
    if form.is_bound:
        return render_form(form)
    language = translation.get_language()
    if name == "edit":
        return _edit_html(form, language)
    initial = tuple(sorted((k, str(v)) for k, v in form.initial.items()))
    return _cached((language, name, type(form), _choices_key(form), initial), lambda: render_form(form))


def _edit_html(form, language: str) -> SafeString:
    """The edit form: its markup per (type's fields, chosen options, empty texts), the texts put in."""
    texts = {k: form.initial.get(k) for k in _EDIT_TEXTS if k in form.fields}
    if any(_OPEN in str(v) or _CLOSE in str(v) for v in texts.values() if v):
        return render_form(form)
    filled = {k: v for k, v in texts.items() if v not in (None, "")}
    key = (language, "edit", type(form), tuple(form.fields),
           tuple((k, str(v)) for k, v in form.initial.items() if k not in _EDIT_TEXTS), tuple(sorted(filled)))

    def build():
        original = form.initial
        form.initial = {**original, **{k: f"{_OPEN}{k}{_CLOSE}" for k in filled}}
        form._bound_fields_cache.clear()
        try:
            return render_form(form)
        finally:
            form.initial = original
            form._bound_fields_cache.clear()

    html = _cached(key, build)
    for k, v in filled.items():
        html = html.replace(f"{_OPEN}{k}{_CLOSE}", escape(str(v)))
    return mark_safe(html)  # noqa: S308 - the template's markup, the texts escaped


class FormsHtml:
    """``forms_html.<name>`` in the template: the form's HTML, rendered when first asked for."""

    def __init__(self, forms: dict):
        self._forms = forms
        self._html: dict[str, SafeString] = {}

    def __getitem__(self, name: str) -> SafeString:
        html = self._html.get(name)
        if html is None:
            html = self._html[name] = form_html(name, self._forms[name])
        return html

    def __contains__(self, name: str) -> bool:
        return name in self._forms
