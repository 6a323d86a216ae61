"""The classifications of R-CUS-2 and R-CUS-3, and other fixed vocabularies of the customer archive."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

GRADES = ("A", "B", "C", "D", "E")


class Grade(models.TextChoices):
    A = "A", _("A · clear need, closing within 1 month")
    B = "B", _("B · closing within 3 months")
    C = "C", _("C · closing within 6 months")
    D = "D", _("D · latent need or later than 6 months")
    E = "E", _("E · no need (dead)")


class NeedStatus(models.TextChoices):
    TARGET = "target", _("Has a need now")
    LATENT = "latent", _("Will have a need")
    DEAD = "dead", _("No need")


class DealStatus(models.TextChoices):
    WON = "won", _("Won")
    NEGOTIATING = "negotiating", _("Negotiating")
    PROSPECT = "prospect", _("Prospect")


class Urgency(models.TextChoices):
    URGENT = "urgent", _("Urgent")
    SOON = "soon", _("Fairly urgent")
    NOT_URGENT = "not_urgent", _("Not urgent")
    LATER = "later", _("Can wait")


class Importance(models.TextChoices):
    IMPORTANT = "important", _("Important")
    ORDINARY = "ordinary", _("Not important")


class ValueTier(models.TextChoices):
    """R-CUS-7 tiers, highest first. Their Chinese names say the rank (VIP 大客户、重要客户、普通客户、小客户):
    the words alone (主要/普通/一般) were hard to tell apart."""

    VIP = "vip", pgettext_lazy("value tier", "VIP")
    MAJOR = "major", pgettext_lazy("value tier", "Major")
    NORMAL = "normal", pgettext_lazy("value tier", "Normal")
    GENERAL = "general", pgettext_lazy("value tier", "General")
    POTENTIAL_VIP = "potential_vip", pgettext_lazy("value tier", "Potential VIP")


class FollowUpMethod(models.TextChoices):
    PHONE = "phone", _("Phone")
    VISIT = "visit", pgettext_lazy("follow-up method", "Visit")
    WECHAT = "wechat", _("WeChat")
    EMAIL = "email", _("E-mail")
    MEETING = "meeting", _("Meeting")


class Gender(models.TextChoices):
    MALE = "m", _("Male")
    FEMALE = "f", _("Female")


class CareKind(models.TextChoices):
    BIRTHDAY = "birthday", _("Birthday greeting")
    HOLIDAY = "holiday", _("Holiday greeting")
    NEW_YEAR = "new_year", _("New-year revisit")


class PoolAction(models.TextChoices):
    CLAIM = "claim", _("Claimed from the pool")
    RELEASE = "release", _("Released to the pool")
    RECLAIM = "reclaim", _("Returned to the pool (no follow-up)")
    ASSIGN = "assign", _("Reassigned")
    WARN = "warn", _("Warned before return to the pool")
