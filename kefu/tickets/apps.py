from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "kefu.tickets"
    verbose_name = _("Tickets")

    def ready(self) -> None:
        from kefu.customers.selectors import register_timeline_source
        from kefu.tickets import settings_defs  # noqa: F401  (registers this app's rule settings)
        from kefu.tickets.customer_timeline import ticket_entries

        register_timeline_source(ticket_entries)
