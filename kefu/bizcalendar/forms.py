from django import forms
from django.utils.translation import gettext_lazy as _

from kefu.bizcalendar.models import CalendarDay


class DayForm(forms.Form):
    """An administrator adds a day or overrides the packaged schedule for a date (R-CAL)."""

    date = forms.DateField(label=_("Date"), input_formats=["%Y-%m-%d"],
                           widget=forms.DateInput(attrs={"type": "date"},
                                                  format="%Y-%m-%d"))
    kind = forms.ChoiceField(label=_("Kind"), choices=CalendarDay.Kind.choices)
    name = forms.CharField(label=_("Name"), max_length=100,
                           help_text=_("For example: National Day, or a company holiday."))
