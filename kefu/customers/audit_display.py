"""How the audit trail shows this app's objects (see kefu.audit.display)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kefu.audit.display import register
from kefu.customers.choices import PoolAction


def _customer_page(pk, obj):
    return reverse("customers:detail", kwargs={"customer_id": int(pk)})


def _page_of_customer(pk, obj):
    return reverse("customers:detail", kwargs={"customer_id": obj.customer_id}) if obj else ""


register("customers.customer", url=_customer_page, money=("expected_amount",),
         labels={"tags": _("Tags"), "phones": _("Phones")},
         notes={"phones:view": _("Phone numbers viewed in full"), "phones:dial": _("Phone numbers dialled or copied"),
                "follow-up": _("Follow-up recorded"),
                **{f"pool:{code}": label for code, label in PoolAction.choices}})
register("customers.followup", url=_page_of_customer, select_related=("customer",),
         name=lambda f: f"{f.customer.name} · {f.at:%Y-%m-%d}")
register("customers.caretask", url=_page_of_customer)
register("customers.order", url=_page_of_customer, money=("amount",))
register("customers.importjob", url=lambda pk, obj: reverse("customers:import_status", kwargs={"job_id": int(pk)}))
