"""How the audit trail shows this app's objects (see kefu.audit.display)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kefu.audit.display import register

register("knowledge.article", url=lambda pk, obj: reverse("knowledge:detail", kwargs={"article_id": int(pk)}))
register("knowledge.articleversion",
         url=lambda pk, obj: reverse("knowledge:detail", kwargs={"article_id": obj.article_id}) if obj else "",
         notes={"R-TIC-9": _("Standard reply review")})
register("knowledge.category")
