from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "kefu.surveys"
    verbose_name = _("Surveys")

    def ready(self) -> None:
        from kefu.surveys import settings_defs  # noqa: F401  (registers this app's rule settings)
