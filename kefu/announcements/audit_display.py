"""How the audit trail shows this app's objects (see kefu.audit.display)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kefu.audit.display import register

register("announcements.announcement",
         url=lambda pk, obj: reverse("announcements:detail", kwargs={"announcement_id": int(pk)}),
         labels={"reminded": _("People reminded")}, notes={"withdrawn": _("Withdrawn"), "R-TIC-10": _("Published"),
                "R-TIC-10 reminder": _("Reminded those who had not confirmed")})
