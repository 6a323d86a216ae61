"""Ticket page forms: they parse input; the rules are in kefu.tickets.services."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from kefu.tickets.choices import (
    AfterSalesKind,
    Channel,
    Level,
    Priority,
    Severity,
    Status,
    TicketType,
    WaitingOn,
)

ALL = _("All")


def _choices(choices, empty=ALL):
    return [("", empty), *choices]


def split_tags(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[,，;；\s]+", text or "") if part.strip()]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented recipe)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class TicketFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False,
                        widget=forms.TextInput(attrs={"placeholder": _("Number, title, caller's phone")}))
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=_choices([("open", _("Open (new, in progress, waiting)")), *Status.choices]))
    type = forms.ChoiceField(label=_("Type"), required=False, choices=_choices(TicketType.choices))
    priority = forms.ChoiceField(label=_("Priority"), required=False, choices=_choices(Priority.choices))
    sla_state = forms.ChoiceField(label=_("Time limit"), required=False, choices=_choices(
        [("ok", _("On time")), ("warning", _("Warning")), ("breached", _("Breached"))]))
    shop = forms.ChoiceField(label=_("Shop"), required=False)
    owner = forms.ChoiceField(label=_("Owner"), required=False)

    def __init__(self, *args, shops=(), people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["shop"].choices = _choices([(s.code, s.name) for s in shops])
        if people is None:
            del self.fields["owner"]
        else:
            self.fields["owner"].choices = _choices([("me", _("Me")), ("none", _("Unassigned (queue)")),
                                                     *[(p.username, str(p)) for p in people]])


class TicketForm(forms.Form):
    caller_phone = forms.CharField(label=_("Caller's phone"), required=False, max_length=40,
                                   help_text=_("Any notation: +86 138-0013-8000, 0086…, with spaces or dashes."))
    customer_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    shop = forms.ChoiceField(label=_("Shop"))
    type = forms.ChoiceField(label=_("Type"), choices=TicketType.choices, initial=TicketType.CONSULTATION,
                             widget=forms.Select(attrs={"x-model": "type"}))
    after_sales_kind = forms.ChoiceField(label=_("After-sales kind"), required=False,
                                         choices=_choices(AfterSalesKind.choices, empty="—"),
                                         help_text=_("After-sales tickets only."))
    severity = forms.ChoiceField(label=_("Severity"), required=False, choices=_choices(Severity.choices, empty="—"),
                                 help_text=_("Complaints only; general when left empty."))
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.HOTLINE)
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices, initial=Priority.NORMAL)
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    tags = forms.CharField(label=_("Tags"), required=False, help_text=_("Separate with commas."))
    attachments = MultipleFileField(label=_("Attachments"), required=False)

    def __init__(self, *args, shops=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["shop"].choices = [(s.code, s.name) for s in shops]


class MessageForm(forms.Form):
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 4, "id": "reply-body"}))
    public = forms.TypedChoiceField(label=_("Kind"), coerce=lambda v: v == "reply", empty_value=False,
                                    choices=[("reply", _("Reply to the customer")), ("note", _("Internal note"))],
                                    widget=forms.RadioSelect, initial="reply")


class TransitionForm(forms.Form):
    to = forms.ChoiceField(label=_("New status"), choices=Status.choices)
    waiting_on = forms.ChoiceField(label=_("Waiting on"), choices=WaitingOn.choices, initial=WaitingOn.CUSTOMER,
                                   required=False)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class HandoverForm(forms.Form):
    department = forms.ChoiceField(label=_("Department"))
    note = forms.CharField(label=_("What is needed"), widget=forms.Textarea(attrs={"rows": 2}))
    due = forms.DateTimeField(label=_("Due"), required=False, help_text=_("Empty: the department's usual time limit."),
                              widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                              input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])

    def __init__(self, *args, departments=(), own_department_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        # no department chosen in advance, and never the person's own: they pick the one that helps
        self.fields["department"].choices = [("", _("Choose a department")), *[
            (d.pk, d.name) for d in departments if d.pk != own_department_id]]


class EscalateForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))
    emergency = forms.BooleanField(label=_("Emergency: skip levels"), required=False)
    to_level = forms.ChoiceField(label=_("To level (emergency only)"), required=False,
                                 choices=_choices(Level.choices[1:], empty=_("Next level up")))


class CompensationForm(forms.Form):
    # The amount is checked by the service (services._money), the one check for the page and the API;
    # the number input's attributes only help the browser.
    amount = forms.CharField(label=_("Amount (¥)"), max_length=50,
                             widget=forms.NumberInput(attrs={"step": "0.01", "min": "0.01"}))
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class DecisionForm(forms.Form):
    approve = forms.TypedChoiceField(coerce=lambda v: v == "yes", choices=[("yes", _("Approve")), ("no", _("Reject"))])
    note = forms.CharField(label=_("Note"), required=False)


class CallbackForm(forms.Form):
    satisfaction = forms.TypedChoiceField(label=_("Satisfaction"), coerce=int,
                                          choices=[(i, str(i)) for i in range(5, 0, -1)], initial=5)
    solved = forms.TypedChoiceField(label=_("Is the issue really solved?"), coerce=lambda v: v == "yes",
                                    choices=[("yes", _("Yes: solved")), ("no", _("No: reopen the ticket"))],
                                    widget=forms.RadioSelect, initial="yes")
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class AssignForm(forms.Form):
    owner = forms.ChoiceField(label=_("Assign to"))

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [(p.pk, str(p)) for p in people]


class RemindForm(forms.Form):
    note = forms.CharField(label=_("Note to the owner"), required=False)


class MergeForm(forms.Form):
    other = forms.CharField(label=_("Other ticket"), max_length=40,
                            widget=forms.TextInput(attrs={"placeholder": "KF20260101-0001"}))
    mode = forms.ChoiceField(label=_("Action"), widget=forms.RadioSelect, initial="link", choices=[
        ("link", _("Link as related")), ("merge", _("Merge this duplicate into it (closes this ticket)"))])


class EditForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices,
                                 help_text=_("The time limits are counted again from the creation."))
    tags = forms.CharField(label=_("Tags"), required=False, help_text=_("Separate with commas."))
    severity = forms.ChoiceField(label=_("Severity"), required=False, choices=Severity.choices)
    root_cause = forms.CharField(label=_("Root cause"), required=False, max_length=50)
    after_sales_kind = forms.ChoiceField(label=_("After-sales kind"), required=False,
                                         choices=_choices(AfterSalesKind.choices, empty="—"))

    def __init__(self, *args, ticket=None, **kwargs):
        super().__init__(*args, **kwargs)
        if ticket is not None:
            if ticket.type != TicketType.COMPLAINT:
                del self.fields["severity"]
                del self.fields["root_cause"]
            if ticket.type != TicketType.AFTER_SALES:
                del self.fields["after_sales_kind"]

    @staticmethod
    def initial_for(ticket) -> dict:
        return {"title": ticket.title, "description": ticket.description, "priority": ticket.priority,
                "tags": ", ".join(ticket.tags or []), "severity": ticket.severity, "root_cause": ticket.root_cause,
                "after_sales_kind": ticket.after_sales_kind}


class RecoveryForm(forms.Form):
    action = forms.CharField(label=_("What was done to win the customer back"), max_length=200)


class HandlingTimeForm(forms.Form):
    minutes = forms.IntegerField(label=_("Minutes"), min_value=-720, max_value=720,
                                 help_text=_("A correction may be negative."))


class AttachmentForm(forms.Form):
    attachments = MultipleFileField(label=_("Files"))
