"""Per-centre overrides of the rule settings declared in :mod:`kefu.rules.registry`.

No row (or a row whose ``value`` is NULL after a reset) means the SPEC default is in force.
A reset keeps the row with ``value = NULL`` so that ``version`` keeps counting up: a client
holding an old version cannot overwrite a change made meanwhile (R-ERR). For a key that never
had a row, the version a client reads is 0.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kefu.core.models import VersionedModel


class RuleValue(VersionedModel):
    centre = models.ForeignKey(
        "org.Centre", on_delete=models.CASCADE, related_name="rule_values", verbose_name=_("centre")
    )
    key = models.CharField(_("setting"), max_length=100)
    value = models.JSONField(_("value"), null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("changed by"),
    )
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)

    class Meta:
        verbose_name = _("rule setting")
        verbose_name_plural = _("rule settings")
        constraints = [models.UniqueConstraint(fields=["centre", "key"], name="uniq_rule_value_centre_key")]
        ordering = ["centre_id", "key"]

    def __str__(self) -> str:
        return self.key

    @property
    def is_override(self) -> bool:
        return self.value is not None


def _invalidate(sender, instance: RuleValue, using: str, **kwargs) -> None:
    from kefu.rules import cache

    cache.invalidate(instance.centre_id, using=using)


models.signals.post_save.connect(_invalidate, sender=RuleValue, dispatch_uid="kefu.rules.rulevalue.saved")
models.signals.post_delete.connect(_invalidate, sender=RuleValue, dispatch_uid="kefu.rules.rulevalue.deleted")
