from django import forms
from django.utils.translation import gettext_lazy as _

from kefu.announcements.models import Kind


class AnnouncementForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Text"), max_length=20_000, widget=forms.Textarea(attrs={"rows": 10}))
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices, initial=Kind.BUSINESS_CHANGE)
    teams = forms.MultipleChoiceField(label=_("Teams"), required=False,
                                      widget=forms.CheckboxSelectMultiple)
    expires_at = forms.DateTimeField(label=_("Expires at"), required=False,
                                     widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                     input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
                                     help_text=_("Optional: after this it leaves the list."))
    requires_confirmation = forms.BooleanField(label=_("Everyone must confirm having read it"), required=False,
                                               initial=True)

    def __init__(self, *args, teams=(), everyone_allowed: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["teams"].choices = [(str(t.pk), t.name) for t in teams]
        self.fields["teams"].help_text = (_("None chosen: everyone in the centre.") if everyone_allowed
                                          else _("None chosen: your team."))


class WithdrawForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
