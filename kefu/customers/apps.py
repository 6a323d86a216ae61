from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "kefu.customers"
    verbose_name = _("Customers")

    def ready(self) -> None:
        from kefu.customers import settings_defs  # noqa: F401  (registers this app's rule settings)
