"""Every form control of every app gets its Tabler classes on the server (kefu.core.forms.TablerFormRenderer),
so a form re-rendered into the page by HTMX looks like one of a fresh page, with no script."""

from __future__ import annotations

import importlib
import pkgutil
import re

import pytest
from django import forms

import kefu
from kefu.core.forms import TablerFormRenderer
from kefu.rules.registry import all_defs


def _all_form_classes() -> list[type[forms.Form]]:
    for info in pkgutil.walk_packages(kefu.__path__, "kefu."):
        if ".tests" in info.name or ".migrations" in info.name or info.name.endswith("management.commands"):
            continue
        if info.name.rsplit(".", 1)[-1] in ("forms", "views") or info.name.rsplit(".", 1)[-1].startswith("views_"):
            importlib.import_module(info.name)
    seen, todo = [], [forms.Form]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("kefu.") and sub not in seen:
                seen.append(sub)
    return seen


def _instances(cls):
    if cls.__name__ == "RuleValueForm":
        return [cls(d, data={}) for d in all_defs()]
    try:
        return [cls(data={})]
    except TypeError:  # pragma: no cover - a form that needs arguments of its own
        return []


CLASS_RE = re.compile(r'<(input|select|textarea)\b([^>]*)>')


def _check(html: str, invalid: bool) -> list[str]:
    problems = []
    for tag, attrs in CLASS_RE.findall(html):
        kind = re.search(r'type="([^"]+)"', attrs)
        kind = kind.group(1) if kind else tag
        if kind == "hidden":
            continue
        found = re.search(r'class="([^"]*)"', attrs)
        classes = found.group(1).split() if found else []
        want = {"checkbox": "form-check-input", "radio": "form-check-input", "select": "form-select"}.get(
            kind, "form-control")
        if want not in classes:
            problems.append(f"<{tag} {attrs.strip()}> lacks {want}")
        if invalid and "is-invalid" not in classes:
            problems.append(f"<{tag} {attrs.strip()}> lacks is-invalid")
    return problems


def test_the_renderer_is_the_default():
    from django.conf import settings

    assert settings.FORM_RENDERER == "kefu.core.forms.TablerFormRenderer"
    assert isinstance(forms.Form().renderer, TablerFormRenderer)


@pytest.mark.django_db
def test_every_widget_of_every_form_has_tabler_classes_and_is_invalid_on_errors():
    classes = _all_form_classes()
    assert len(classes) >= 30, [c.__name__ for c in classes]
    problems = []
    for cls in classes:
        for form in _instances(cls):
            form.is_valid()
            for field in form.visible_fields():
                html = str(field)
                problems += [f"{cls.__module__}.{cls.__name__}.{field.name}: {p}"
                             for p in _check(html, invalid=bool(field.errors))]
    assert not problems, "\n".join(problems)


def test_radio_lists_are_tabler_form_checks():
    class F(forms.Form):
        pick = forms.ChoiceField(choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect)
        many = forms.MultipleChoiceField(choices=[("a", "A")], widget=forms.CheckboxSelectMultiple)

    form = F(data={})
    assert not form.is_valid()
    html = str(form["pick"])
    assert html.count('<label class="form-check">') == 2 and 'class="form-check-label"' in html
    assert 'class="form-check-input is-invalid"' in html
    assert 'class="form-check-input' in str(form["many"])
