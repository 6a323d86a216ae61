"""The ticket page's action forms as HTML, built once (issue 13): an empty form's markup depends on the
language and on its choices, not on the ticket, so it is rendered through ``components/form.html`` once per
process and reused; the edit form's by its choices, with the ticket's texts put in afterwards (escaped the
way the template escapes them). A form sent back with errors is rendered as before, every time. The page
asks for a form's HTML only when it shows that form's panel (``FormsHtml``: rendered on first use).
kefu/tickets/tests/test_detail_html.py compares the page byte for byte with the template rendering."""

from __future__ import annotations

from django.forms import BaseForm
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


class LazyForms:
    """``forms.<name>`` in the template: a form, or a factory called when the form is first used (an
    empty form the page does not show is never built)."""

    def __init__(self, forms: dict):
        self._forms = dict(forms)

    def __getitem__(self, name: str):
        form = self._forms[name]
        if not isinstance(form, BaseForm):
            form = self._forms[name] = form()
        return form

    def __contains__(self, name: str) -> bool:
        return name in self._forms

    def get(self, name: str, default=None):
        return self[name] if name in self._forms else default

    def unbuilt_class(self, name: str):
        """The form's class while it is an empty form not built yet (its markup is the same every time)."""
        form = self._forms[name]
        return form if isinstance(form, type) and issubclass(form, BaseForm) else None


class FormsHtml:
    """``forms_html.<name>`` in the template: the form's HTML, rendered when first asked for."""

    def __init__(self, forms: LazyForms):
        self._forms = forms
        self._html: dict[str, SafeString] = {}

    def __getitem__(self, name: str) -> SafeString:
        html = self._html.get(name)
        if html is None:
            cls = self._forms.unbuilt_class(name)
            if cls is not None:  # an empty form of fixed choices: built only the first time
                key = (translation.get_language(), name, cls)
                html = _cached(key, lambda: render_form(self._forms[name]))
            else:
                html = form_html(name, self._forms[name])
            self._html[name] = html
        return html

    def __contains__(self, name: str) -> bool:
        return name in self._forms
