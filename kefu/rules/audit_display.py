"""How the audit trail shows rule settings (see kefu.audit.display): the setting's label, its page, and
its values as the rules page shows them."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kefu.audit.display import register
from kefu.rules.registry import get_def, has_def


def _name(key: str) -> str:
    return str(get_def(key).label) if has_def(key) else key


def _value(key: str, field: str, value) -> str | None:
    if field != "value" or not has_def(key) or value is None:
        return None
    try:
        return get_def(key).display(value)
    except (TypeError, ValueError, KeyError):
        return None


register("rules.rulevalue", lookup=False, name=_name, value=_value, labels={"value": _("Value")},
         url=lambda key, obj: reverse("rules:edit", kwargs={"key": key}) if has_def(key) else "")
