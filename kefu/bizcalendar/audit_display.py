"""How the audit trail shows this app's objects (see kefu.audit.display)."""

from django.urls import reverse

from kefu.audit.display import register

register("bizcalendar.calendarday", url=lambda pk, obj: reverse("bizcalendar:days"))
