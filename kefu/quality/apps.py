from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QualityConfig(AppConfig):
    name = "kefu.quality"
    verbose_name = _("Quality inspection")

    def ready(self) -> None:
        # the automatic checks run after a public reply or a resolution commits (kefu.core.hooks)
        from kefu.core import hooks
        from kefu.quality.autocheck_services import on_ticket_event

        hooks.register(hooks.TICKET_PUBLIC_REPLY, on_ticket_event)
        hooks.register(hooks.TICKET_RESOLVED, on_ticket_event)
