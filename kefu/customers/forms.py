from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.customers.choices import (
    DealStatus,
    FollowUpMethod,
    Grade,
    Importance,
    NeedStatus,
    Urgency,
    ValueTier,
)
from kefu.customers.validation import NumberProblem, clean_expected_amount, expected_amount_max

ALL = _("All")


def _choices(choices, empty=ALL):
    return [("", empty), *choices]


class AmountField(forms.CharField):
    """The expected amount, checked by the archive's own rule (``validation.clean_expected_amount``:
    a number, not negative, two places, within the column) — the same check as the API and the import."""

    widget = forms.NumberInput

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.widget.attrs.update({"step": "0.01", "min": "0", "max": f"{expected_amount_max():f}"})

    def to_python(self, value):
        try:
            return clean_expected_amount(super().to_python(value))
        except NumberProblem as problem:
            raise forms.ValidationError(problem.message, code="invalid") from None


class CustomerFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False,
                        widget=forms.TextInput(attrs={"placeholder": _("Name, pinyin initials, phone tail, tag, note")}))
    grade = forms.ChoiceField(label=_("Grade"), required=False, choices=_choices([(g, g) for g in Grade.values]))
    tier = forms.ChoiceField(label=_("Value tier"), required=False, choices=_choices(ValueTier.choices))
    urgency = forms.ChoiceField(label=_("Urgency"), required=False, choices=_choices(Urgency.choices))
    importance = forms.ChoiceField(label=_("Importance"), required=False, choices=_choices(Importance.choices))
    deal_status = forms.ChoiceField(label=_("Deal status"), required=False, choices=_choices(DealStatus.choices))
    need_status = forms.ChoiceField(label=_("Need"), required=False, choices=_choices(NeedStatus.choices))
    shop = forms.ChoiceField(label=_("Shop"), required=False)
    owner = forms.ChoiceField(label=_("Owner"), required=False)
    overdue = forms.NullBooleanField(label=_("Overdue"), required=False, widget=forms.Select(
        choices=[("", _("All")), ("true", _("Overdue only")), ("false", _("Not overdue"))]))
    churn_risk = forms.NullBooleanField(label=_("Churn risk"), required=False, widget=forms.Select(
        choices=[("", _("All")), ("true", _("At risk")), ("false", _("Not at risk"))]))
    tag = forms.CharField(label=_("Tag"), required=False)

    def __init__(self, *args, shops=(), people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["shop"].choices = _choices([(s.code, s.name) for s in shops])
        self.fields["owner"].choices = _choices([("none", _("In the pool")), *[(p.username, str(p)) for p in people]])


class CustomerForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    phones = forms.CharField(label=_("Phones"), required=False, help_text=_("Several numbers: separate with commas."))
    email = forms.CharField(label=_("E-mail"), required=False)
    shop = forms.ChoiceField(label=_("Shop"))
    need_status = forms.ChoiceField(label=_("Need"), choices=NeedStatus.choices, initial=NeedStatus.LATENT)
    deal_status = forms.ChoiceField(label=_("Deal status"), choices=DealStatus.choices, initial=DealStatus.PROSPECT)
    expected_close_date = forms.DateField(label=_("Expected close date"), required=False,
                                          widget=forms.DateInput(attrs={"type": "date"}))
    expected_amount = AmountField(label=_("Expected deal amount (¥)"), required=False)
    birthday = forms.DateField(label=_("Birthday"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    tags = forms.CharField(label=_("Tags"), required=False, help_text=_("Separate with commas."))
    grade = forms.ChoiceField(label=_("Grade"), required=False,
                              choices=[("", _("Use the proposed grade")), *Grade.choices])
    grade_reason = forms.CharField(label=_("Reason for the grade"), required=False)
    region = forms.CharField(label=_("Region"), required=False)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, shops=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["shop"].choices = [(s.code, s.name) for s in shops]

    def clean_phones(self) -> str:
        """Numbers separated by commas or semicolons; the spaces inside one number ("138 0013 8000")
        kept together when that makes one number. The service validates them (kefu.core.phones)."""
        import re

        from kefu.core.phones import check_phone, is_masked

        parts: list[str] = []
        for piece in re.split(r"[,，;；、\n]+", self.cleaned_data.get("phones") or ""):
            words = piece.split()
            joined = "".join(words)
            if len(words) > 1 and not (is_masked(joined) or check_phone(joined).ok):
                parts.extend(words)
            elif joined:
                parts.append(joined)
        return ", ".join(parts)

    @staticmethod
    def split(text: str) -> list[str]:
        import re

        return [part.strip() for part in re.split(r"[,，;；\s]+", text or "") if part.strip()]


class CustomerEditForm(CustomerForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["shop"]


class FollowUpForm(forms.Form):
    at = forms.DateTimeField(label=_("Time"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"},
                                                                           format="%Y-%m-%dT%H:%M"))
    method = forms.ChoiceField(label=_("Method"), choices=FollowUpMethod.choices)
    content = forms.CharField(label=_("What was discussed"), widget=forms.Textarea(attrs={"rows": 3}))
    outcome = forms.CharField(label=_("Outcome"), required=False)
    need_status = forms.ChoiceField(label=_("Need now"), required=False,
                                    choices=[("", _("Unchanged")), *NeedStatus.choices])
    expected_close_date = forms.DateField(label=_("Expected close date"), required=False,
                                          widget=forms.DateInput(attrs={"type": "date"}))
    grade = forms.ChoiceField(label=_("Re-assessed grade"), required=False,
                              choices=[("", _("Proposed / unchanged")), *Grade.choices])
    grade_reason = forms.CharField(label=_("Reason for the grade"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("at", timezone.localtime().strftime("%Y-%m-%dT%H:%M"))


class ReleaseForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class ReassignForm(forms.Form):
    owner = forms.ChoiceField(label=_("New owner"))
    reason = forms.CharField(label=_("Reason"), required=False, max_length=300)

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [(p.username, str(p)) for p in people]


class DueDateForm(forms.Form):
    date = forms.DateField(label=_("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
