from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PerformanceConfig(AppConfig):
    name = "kefu.performance"
    verbose_name = _("Performance, daily logs and reports")

    def ready(self) -> None:
        from kefu.performance import settings_defs  # noqa: F401  (registers this app's rule settings)
        from kefu.performance.aggregates import connect

        connect()  # the KPI aggregates' setting and "a past day changed" hook
