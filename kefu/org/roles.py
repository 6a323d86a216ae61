"""Roles of SPEC §1 (R-ORG-2). One person may hold several."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    AGENT = "agent", _("Agent")
    LEAD = "lead", _("Team lead")
    QA = "qa", _("QA inspector")
    HEAD = "head", _("Department head")
    DIRECTOR = "director", _("Centre director")
    ADMIN = "admin", _("Administrator")


# The escalation ladder of R-TIC-6 and the order in which a person's "highest" role is chosen.
ROLE_RANK = {
    Role.AGENT: 1,
    Role.QA: 2,
    Role.LEAD: 2,
    Role.HEAD: 3,
    Role.DIRECTOR: 4,
    Role.ADMIN: 5,
}
