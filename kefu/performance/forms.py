from django import forms
from django.utils.translation import gettext_lazy as _


class DailyLogForm(forms.Form):
    date = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}))
    products = forms.CharField(label=_("Products asked about"), required=False, max_length=2000,
                               widget=forms.Textarea(attrs={"rows": 2}))
    discussed = forms.CharField(label=_("Discussed"), required=False, max_length=2000,
                                widget=forms.Textarea(attrs={"rows": 2}))
    solved = forms.CharField(label=_("Solved"), required=False, max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}))
    open = forms.CharField(label=_("Still open"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))
    help_needed = forms.CharField(label=_("Help needed"), required=False, max_length=2000,
                                  widget=forms.Textarea(attrs={"rows": 2}),
                                  help_text=_("Your team lead sees it and answers."))
    plan = forms.CharField(label=_("Tomorrow's plan"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}),
                           help_text=_("Shown back to you tomorrow morning."))
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class DayForm(forms.Form):
    date = forms.DateField(label=_("Day"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    team = forms.TypedChoiceField(label=_("Team"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, teams=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [("", _("All my teams"))] + [(t.pk, t.name) for t in teams]


class HelpForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reply = forms.CharField(label=_("Reply"), required=False, max_length=500)


class KpiForm(forms.Form):
    level = forms.ChoiceField(label=_("By"), required=False, choices=[
        ("agent", _("Agent")), ("team", _("Team")), ("shop", _("Shop"))])
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
