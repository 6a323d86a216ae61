from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BizCalendarConfig(AppConfig):
    name = "kefu.bizcalendar"
    label = "bizcalendar"
    verbose_name = _("Business calendar")
