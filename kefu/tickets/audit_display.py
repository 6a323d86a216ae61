"""How the audit trail shows this app's objects (see kefu.audit.display)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kefu.audit.display import register


def _ticket_page(pk, obj):
    return reverse("tickets:detail", kwargs={"ticket_id": int(pk)})


def _page_of_ticket(pk, obj):
    return reverse("tickets:detail", kwargs={"ticket_id": obj.ticket_id}) if obj else ""


register("tickets.ticket", url=_ticket_page, notes={
    "reply": _("Replied to the customer"), "note": _("Internal note added"), "reminder": _("Reminded the owner"),
    "link": _("Linked to another ticket"), "handling time": _("Handling time recorded"),
    **{f"auto-assign:{mode}": _("Assigned automatically") for mode in ("round_robin", "least_load")}})
register("tickets.departmenttask", url=_page_of_ticket, select_related=("ticket", "department"),
         name=lambda t: f"{t.ticket.number} → {t.department.name}")
register("tickets.compensation", url=_page_of_ticket, select_related=("ticket",), money=("amount",),
         name=lambda c: f"{c.ticket.number} · ¥{c.amount}")
register("tickets.callback", url=_page_of_ticket, select_related=("ticket",), name=lambda c: c.ticket.number)
register("tickets.attachment", url=_page_of_ticket, select_related=("ticket",),
         name=lambda a: f"{a.ticket.number} · {a.name}")
register("tickets.recoveryaction", url=_page_of_ticket, select_related=("ticket",),
         name=lambda r: f"{r.ticket.number} · {r.action}")
register("tickets.agentavailability", select_related=("person",), name=lambda a: str(a.person),
         labels={"on_duty": _("On duty")})
