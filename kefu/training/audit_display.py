"""How the audit trail shows this app's objects (see kefu.audit.display). The services write the rule id
R-TRN-1 as the note of exam and course records; it reads as words here."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kefu.audit.display import register

NOTES = {"R-TRN-1": _("Training and exams")}


def _course_url(pk, obj) -> str:
    return reverse("training:course", kwargs={"course_id": int(pk)})


def _of_course(pk, obj) -> str:
    return reverse("training:course", kwargs={"course_id": obj.course_id}) if obj else ""


register("training.course", url=_course_url, notes=NOTES)
register("training.material", url=_of_course, notes=NOTES, hidden=("file",))
register("training.question", url=_of_course, notes=NOTES)
register("training.session", url=_of_course, notes=NOTES)
register("training.attendance", notes=NOTES, select_related=("session__course", "person"))
register("training.plan", notes=NOTES)
register("training.assignment", url=_of_course, notes=NOTES, select_related=("course", "person"))
register("training.attempt", url=lambda pk, obj: reverse("training:exam", kwargs={"attempt_id": int(pk)}),
         notes=NOTES, hidden=("answers", "question_ids", "seed"), select_related=("course", "person"))
