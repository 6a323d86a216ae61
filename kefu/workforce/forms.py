from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kefu.workforce.models import LeaveKind


class LeaveForm(forms.Form):
    person = forms.ChoiceField(label=_("For"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=LeaveKind.choices)
    start = forms.DateTimeField(label=_("Leave starts"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    end = forms.DateTimeField(label=_("Leave ends"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [(p.username, str(p)) for p in people]
        if len(self.fields["person"].choices) <= 1:
            self.fields["person"].widget = forms.HiddenInput()


class DecisionForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=300, required=False)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput())


class ShiftForm(forms.Form):
    """A lead puts someone of the team on the roster (R-WFM-1)."""

    person = forms.ChoiceField(label=_("Who"))
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    shift_type = forms.ChoiceField(label=_("Shift type"))

    def __init__(self, *args, people=(), shift_types=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [(p.username, str(p)) for p in people]
        self.fields["shift_type"].choices = [
            (t.code, f"{t.name} {t.start:%H:%M}–{t.end:%H:%M}") for t in shift_types]
