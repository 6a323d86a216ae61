from django.db import models
from django.utils.translation import gettext_lazy as _


class VersionedModel(models.Model):
    """An editable object with an integer ``version`` for optimistic concurrency (R-ERR)."""

    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        abstract = True
