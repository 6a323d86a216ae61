"""The inline edit form of one rule setting. It only carries the raw input: the service validates it
(one place for the rules of every type, shared with the API)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kefu.org.roles import Role
from kefu.rules.registry import RuleDef, RuleType
from kefu.rules.selectors import RuleRow


def _slug(key: str) -> str:
    return key.replace(".", "-")


class RuleValueForm(forms.Form):
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)

    def __init__(self, definition: RuleDef, *args, **kwargs):
        kwargs.setdefault("auto_id", f"rule-{_slug(definition.key)}-%s")
        super().__init__(*args, **kwargs)
        self.definition = definition
        self.fields["value"] = self._value_field(definition)

    @staticmethod
    def _value_field(d: RuleDef) -> forms.Field:
        label = d.label
        control = {"class": "form-control form-control-sm", "data-testid": "rule-input"}
        if d.type == RuleType.ROLES:
            return forms.MultipleChoiceField(
                label=label, required=False, choices=Role.choices,
                widget=forms.CheckboxSelectMultiple,
            )
        if d.type == RuleType.BOOL:
            widget = forms.Select(choices=[("true", _("Yes")), ("false", _("No"))],
                                  attrs={**control, "class": "form-select form-select-sm"})
        elif d.type == RuleType.CHOICE:
            widget = forms.Select(choices=list(d.choices), attrs={**control, "class": "form-select form-select-sm"})
        elif d.type == RuleType.INT:
            attrs = {**control, "step": "1", "inputmode": "numeric"}
            attrs.update({k: v for k, v in (("min", d.min), ("max", d.max)) if v is not None})
            widget = forms.NumberInput(attrs=attrs)
        elif d.type == RuleType.DECIMAL:
            attrs = {**control, "step": f"{10 ** -d.places:.{d.places}f}", "inputmode": "decimal"}
            attrs.update({k: str(v) for k, v in (("min", d.min), ("max", d.max)) if v is not None})
            widget = forms.NumberInput(attrs=attrs)
        elif d.type == RuleType.TIME:
            widget = forms.TimeInput(attrs={**control, "type": "time"})
        else:  # time ranges as text: 12:00-13:30, 17:30-18:00
            widget = forms.TextInput(attrs={**control, "placeholder": "12:00-13:30, 17:30-18:00"})
        return forms.CharField(label=label, required=False, strip=True, widget=widget)

    @classmethod
    def for_row(cls, row: RuleRow) -> RuleValueForm:
        """An unbound form showing the value in force and the version read."""
        d = row.definition
        return cls(d, initial={"value": d.form_text(row.value), "version": row.version})

    @property
    def raw_value(self):
        """The value as typed, for the service (a list of role codes for roles)."""
        return self.cleaned_data.get("value")
