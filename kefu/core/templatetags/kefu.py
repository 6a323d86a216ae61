from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def query_without(context, *names: str) -> str:
    """The current query string without ``names`` (e.g. "page"), for pagination links."""
    params = context["request"].GET.copy()
    for name in names:
        params.pop(name, None)
    return params.urlencode()


@register.filter
def thousands(value, places: int = 2) -> str:
    """A number with thousands separators: ``{{ amount|thousands }}`` → 100,000.00 (empty for none)."""
    from decimal import Decimal, InvalidOperation

    if value is None or value == "":
        return ""
    try:
        return f"{Decimal(str(value)):,.{int(places)}f}"
    except (InvalidOperation, ValueError):
        return str(value)


@register.filter
def money(value, places: int = 2) -> str:
    """An amount as people read it: ``{{ amount|money }}`` → ¥100,000.00 (empty for no amount)."""
    text = thousands(value, places)
    return f"¥{text}" if text else ""
