"""How the audit trail shows quality inspection's objects (see kefu.audit.display)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kefu.audit.display import register

LABELS = {"scores": _("Points per item"), "critical_failed": _("Critical items failed"), "items": _("Items"),
          "tickets": _("Tickets"), "ticket": _("Ticket")}

register("quality.review", url=lambda pk, obj: reverse("quality:review", kwargs={"review_id": int(pk)}),
         select_related=("ticket",), labels=LABELS)
register("quality.appeal",
         url=lambda pk, obj: reverse("quality:review", kwargs={"review_id": obj.review_id}) if obj else "",
         select_related=("review__ticket",), labels=LABELS)
register("quality.scorecard", url=lambda pk, obj: reverse("quality:scorecards"), labels=LABELS)
register("quality.calibrationsession",
         url=lambda pk, obj: reverse("quality:calibration_detail", kwargs={"session_id": int(pk)}), labels=LABELS)
