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
