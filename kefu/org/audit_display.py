"""How the audit trail shows this app's objects (see kefu.audit.display)."""

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kefu.audit.display import register

register("org.user", url=lambda pk, obj: f"{reverse('org:people')}?{urlencode({'q': obj.username})}" if obj else "",
         labels={"roles": _("Roles")})
register("org.team", labels={"shops": _("Shops")})
register("org.shop")
register("org.department")
register("org.centre")
register("org.apitoken", select_related=("user",), notes={"issued": _("Issued"), "revoked": _("Revoked")})
