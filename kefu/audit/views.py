from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from kefu.audit.display import show_events
from kefu.audit.models import AuditEvent
from kefu.audit.selectors import can_read_audit, search_events


class AuditFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    actor = forms.CharField(label=_("Who"), required=False)
    action = forms.ChoiceField(label=_("Action"), required=False,
                               choices=[("", _("All actions")), *AuditEvent.Action.choices])
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


@login_required
def events_view(request):
    if not can_read_audit(request.user):
        raise PermissionDenied
    form = AuditFilterForm(request.GET or None)
    filters = {k: v for k, v in form.cleaned_data.items() if v} if form.is_valid() else {}
    page = Paginator(search_events(request.user, **filters).select_related("actor"), 50).get_page(
        request.GET.get("page"))
    page.object_list = show_events(page.object_list)
    template = "audit/events.html#results" if request.headers.get("HX-Request") else "audit/events.html"
    return render(request, template, {"form": form, "page": page})
