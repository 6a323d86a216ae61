"""Forms of the training pages (R-TRN-1). They only parse; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kefu.training.models import Attendance, Question

LOCAL = {"type": "datetime-local"}


class CourseForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    tags = forms.CharField(label=_("Topics and skills"), required=False, max_length=700,
                           help_text=_("Separated by commas, e.g. the QA scorecard items 服务用语, 语气语调: plans "
                                       "from QA weak points assign the courses whose tags match."))
    exam_questions = forms.IntegerField(label=_("Questions per exam"), min_value=1, max_value=100, initial=10)
    exam_minutes = forms.IntegerField(label=_("Exam time limit (minutes)"), min_value=1, max_value=240, initial=20)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput())


class MaterialForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    url = forms.CharField(label=_("Link"), max_length=500, required=False,
                          help_text=_("A web address, or upload a file instead."))
    file = forms.FileField(label=_("File"), required=False)


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Question.Kind.choices)
    text = forms.CharField(label=_("Question"), max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))
    choices = forms.CharField(label=_("Options"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
                              help_text=_("One option a line (not needed for true or false)."))
    correct = forms.CharField(label=_("Right answers"), max_length=50,
                              help_text=_("The numbers of the right options, from 1, separated by commas; true or "
                                          "false: 1 for true, 2 for false."))
    explanation = forms.CharField(label=_("Explanation"), required=False, max_length=5000,
                                  widget=forms.Textarea(attrs={"rows": 2}))

    def clean_correct(self):
        raw = self.cleaned_data["correct"].replace("，", ",").replace(" ", ",")
        try:
            numbers = [int(x) - 1 for x in raw.split(",") if x.strip()]
        except ValueError:
            raise forms.ValidationError(_("Give the numbers of the right options, e.g. 1 or 1,3.")) from None
        return numbers

    def option_list(self) -> list[str]:
        return [line.strip() for line in (self.cleaned_data.get("choices") or "").splitlines() if line.strip()]


class SessionForm(forms.Form):
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=forms.DateTimeInput(attrs=LOCAL))
    ends_at = forms.DateTimeField(label=_("Ends at"), widget=forms.DateTimeInput(attrs=LOCAL))
    trainer = forms.ChoiceField(label=_("Trainer"))
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    online_url = forms.CharField(label=_("Online meeting link"), max_length=500, required=False)
    invitees = forms.MultipleChoiceField(label=_("Invited"), required=False,
                                         widget=forms.SelectMultiple(attrs={"size": 6}))

    def __init__(self, *args, trainers=(), people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["trainer"].choices = [(p.username, str(p)) for p in trainers]
        self.fields["invitees"].choices = [(p.username, str(p)) for p in people]


class AttendanceForm(forms.Form):
    person = forms.CharField(max_length=150)
    status = forms.ChoiceField(choices=[c for c in Attendance.Status.choices if c[0] != Attendance.Status.INVITED])


class AssignForm(forms.Form):
    people = forms.MultipleChoiceField(label=_("People"), widget=forms.SelectMultiple(attrs={"size": 6}))
    due = forms.DateField(label=_("Due date"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["people"].choices = [(p.username, str(p)) for p in people]
