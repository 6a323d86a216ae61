from django import forms
from django.utils.translation import gettext_lazy as _

from kefu.surveys.models import DIMENSIONS, Dimension


class SurveyForm(forms.Form):
    """The survey builder: the period it scores and its questions, one per line under each RATER dimension."""

    title = forms.CharField(label=_("Title"), max_length=100)
    intro = forms.CharField(label=_("Introduction for the customer"), max_length=500, required=False,
                            widget=forms.Textarea(attrs={"rows": 2}))
    period_start = forms.DateField(label=_("Period from"), widget=forms.DateInput(attrs={"type": "date"}))
    period_end = forms.DateField(label=_("Period until"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, questions: list[dict] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        initial = {d: [] for d in DIMENSIONS}
        for q in questions or []:
            initial.setdefault(q["dimension"], []).append(q["text"])
        for d in DIMENSIONS:
            self.fields[f"q_{d}"] = forms.CharField(
                label=Dimension(d).label, required=False, initial="\n".join(initial[d]),
                widget=forms.Textarea(attrs={"rows": 3}), help_text=_("One question per line."))

    def questions(self) -> list[dict]:
        out = []
        for d in DIMENSIONS:
            for line in (self.cleaned_data.get(f"q_{d}") or "").splitlines():
                if line.strip():
                    out.append({"dimension": d, "text": line.strip()})
        return out


class RoundForm(forms.Form):
    size = forms.IntegerField(label=_("Customers to ask"), min_value=1, max_value=5000)
    seed = forms.IntegerField(label=_("Seed (optional)"), min_value=0, required=False,
                              help_text=_("The same seed over the same data asks the same customers."))


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
