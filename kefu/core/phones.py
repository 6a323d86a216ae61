"""Phone numbers: one normal form for storage and caller matching, and masking (R-CUS-1).

"+86 138-0013-8000", "0086 13800138000", "013800138000" and "138/0013/8000" all normalize to
"13800138000". Landlines keep their area code's leading zero ("010-6552 9988" → "01065529988").
"""

from __future__ import annotations

import re

_NON_DIGITS = re.compile(r"\D+")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")


def normalize_phone(raw: str | None) -> str:
    if not raw:
        return ""
    text = str(raw).strip()
    has_plus = text.startswith("+")
    digits = _NON_DIGITS.sub("", text)
    if digits.startswith("0086"):
        digits = digits[4:]
    elif digits.startswith("86") and (has_plus or _MOBILE.match(digits[2:])):
        digits = digits[2:]
    if digits.startswith("0") and _MOBILE.match(digits[1:]):
        digits = digits[1:]
    return digits


def is_plausible_phone(number: str) -> bool:
    """A normalized number that could be dialled: a mobile, or 7–12 digits of a landline."""
    return bool(_MOBILE.match(number)) or (number.isdigit() and 7 <= len(number) <= 12)


def mask_phone(number: str, *, keep_start: int = 3, keep_end: int = 4) -> str:
    """138****1234. Short numbers keep fewer digits, so that at least four (or half) are hidden."""
    if not number:
        return ""
    n = len(number)
    if keep_start + keep_end > n - 4:
        keep_start, keep_end = min(keep_start, n // 4), min(keep_end, n // 4)
    hidden = n - keep_start - keep_end
    return number[:keep_start] + "*" * hidden + (number[n - keep_end:] if keep_end else "")
