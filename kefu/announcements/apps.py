from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnnouncementsConfig(AppConfig):
    name = "kefu.announcements"
    verbose_name = _("Announcements")

    def ready(self) -> None:
        from kefu.announcements import settings_defs  # noqa: F401  (registers this app's rule settings)
