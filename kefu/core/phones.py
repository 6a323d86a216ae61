"""Phone numbers: one normal form for storage and caller matching, one validator, and masking (R-CUS-1).

"+86 138-0013-8000", "0086 13800138000", "013800138000" and "138/0013/8000" all normalize to
"13800138000". Landlines keep their area code's leading zero ("010-6552 9988" → "01065529988").
Numbers abroad, written with "+" or "00" and a country code other than 86, are kept as dialled from
the mainland: "+852 9123 4567" → "0085291234567".

:func:`check_phone` is the one validator every place that accepts a phone number uses (the customer
services behind the API and the pages, the import, the ticket's caller phone); :func:`clean_phones`
applies it to a list and resolves masked numbers sent back unchanged (138****1234) to the customer's
real number (issue 8, item 2).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

_NON_DIGITS = re.compile(r"[^0-9]+")
_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９＋", "0123456789+")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")  # the shape only; :func:`is_mobile` checks the allocation
# what a phone number may be written with: digits, "+", separators and brackets (half and full width)
_ALLOWED = re.compile(r"^[+＋]?[0-9０-９ \t\u3000\-‐‑–—－().（）/·]+$")
_SCIENTIFIC = re.compile(r"^\s*[0-9]+(?:\.[0-9]+)?[eE][+]?[0-9]+\s*$")
MASK_CHARS = frozenset("*＊")

# --- mainland mobile numbers ----------------------------------------------------------------------
# The MIIT table "我国公众移动通信网网号及H₀分配情况（截至2023年3月底）" (工业和信息化部, published
# 2023-06-05): network numbers (网号) and, where only part of one is allocated, the H0 (and H1) digits
# in brackets, as the table writes them. 140–144 are 13-digit IoT numbers, not phone numbers.
# When the MIIT allocates a new network number, add it here (a data change, no code change).
MOBILE_ALLOCATION: dict[str, tuple[str, ...]] = {
    "中国电信": ("133", "1349(2,3,9)", "149", "153", "162", "170(0-2)", "173", "1740(0-5)", "177", "180", "181",
             "189", "190", "191", "193", "199"),
    "中国移动": ("134(0-8)", "135", "136", "137", "138", "139", "147", "148", "150", "151", "152", "157", "158",
             "159", "165", "170(3,5,6)", "172", "178", "182", "183", "184", "187", "188", "195", "197", "198"),
    "中国联通": ("130", "131", "132", "145", "146", "155", "156", "166", "167", "170(4,7-9)", "171", "175", "176",
             "185", "186", "196"),
    "中国广电": ("192",),
    "中国星网": ("1619",),
    "其他单位": ("1740(6-9)", "1741(0-2)", "1749"),
}


def _expand(notation: str) -> list[str]:
    """"134(0-8)" → 1340 … 1348; "1349(2,3,9)" → 13492, 13493, 13499; "135" → 135."""
    stem, _sep, rest = notation.partition("(")
    if not rest:
        return [stem]
    digits: list[str] = []
    for part in rest.rstrip(")").replace("、", ",").split(","):
        low, _dash, high = part.partition("-")
        digits.extend(str(d) for d in range(int(low), int(high or low) + 1))
    return [stem + d for d in digits]


MOBILE_PREFIXES: frozenset[str] = frozenset(p for group in MOBILE_ALLOCATION.values() for n in group for p in _expand(n))
_PREFIX_LENGTHS = sorted({len(p) for p in MOBILE_PREFIXES})


def is_mobile(number: str) -> bool:
    """An 11-digit mainland mobile number of an allocated network number (MOBILE_ALLOCATION)."""
    return bool(_MOBILE.match(number)) and any(number[:n] in MOBILE_PREFIXES for n in _PREFIX_LENGTHS)


def _is_landline(number: str) -> bool:
    """A fixed-line number: 0 + area code (10, 2x: two digits; 3xx–9xx: three) + 7–8 local digits, a
    local number of 7–8 digits (starting 2–9) without the area code, or a 400/800 number."""
    if not number.isdigit():
        return False
    if number.startswith("0"):
        if number.startswith(("010", "02")):
            local = number[3:]
        elif number[1:2] and number[1] in "3456789":
            local = number[4:]
        else:
            return False
        return 7 <= len(local) <= 8 and local[0] != "0"
    if number.startswith(("400", "800")):
        return len(number) == 10
    return 7 <= len(number) <= 8 and number[0] in "23456789"


def _is_abroad(number: str) -> bool:
    return number.startswith("00") and not number.startswith("0086") and number[2:3] != "0" and 9 <= len(number) <= 17


# --- normal form -----------------------------------------------------------------------------------
def normalize_phone(raw: str | None) -> str:
    if not raw:
        return ""
    text = str(raw).strip().translate(_FULL_WIDTH_DIGITS)
    has_plus = text.startswith("+")
    digits = _NON_DIGITS.sub("", text)
    if digits.startswith("0086") or (digits.startswith("86") and has_plus):
        digits = digits[4 if digits.startswith("0086") else 2:]
        if len(digits) >= 9 and not _MOBILE.match(digits) and not digits.startswith(("0", "400", "800")):
            digits = "0" + digits  # +86 10 6552 9988: the area code without its trunk 0
    elif digits.startswith("86") and _MOBILE.match(digits[2:]):
        digits = digits[2:]
    elif has_plus and digits:
        digits = "00" + digits  # abroad, as dialled from the mainland
    if digits.startswith("0") and _MOBILE.match(digits[1:]):
        digits = digits[1:]
    return digits



def is_plausible_phone(number: str) -> bool:
    """A normalized number that can be dialled: an allocated mobile number, a landline (with or
    without its area code), a 400/800 number, or a number abroad ("00" + country code)."""
    return is_mobile(number) or _is_landline(number) or _is_abroad(number)


def is_masked(raw: str | None) -> bool:
    return bool(raw) and any(c in MASK_CHARS for c in str(raw))


# --- the validator -----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class PhoneCheck:
    """The number in normal form, or "" and the reason it was refused (in the user's language)."""

    number: str = ""
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


def check_phone(raw, *, number_cell: bool = False) -> PhoneCheck:
    """Validate one phone number as typed (or read from a spreadsheet cell: ``number_cell`` when the
    cell held a number rather than text, so a leading 0 may have been dropped by the spreadsheet).

    Masked numbers (138****1234) are refused here: only :func:`clean_phones` knows whether one is a
    current number sent back unchanged."""
    text = "" if raw is None else str(raw).strip()
    if not text:
        return PhoneCheck(error=_("A phone number is empty."))
    if is_masked(text):
        return PhoneCheck(error=_("“%(phone)s” is masked; enter the full number.") % {"phone": text})
    if _SCIENTIFIC.match(text):
        return PhoneCheck(error=_("“%(phone)s” is written in scientific notation, so digits were lost; "
                                  "format the column as text and enter the full number.") % {"phone": text})
    if not _ALLOWED.match(text):
        return PhoneCheck(error=_("“%(phone)s” is not a phone number: write only digits, spaces, "
                                  "“+”, “-” and brackets.") % {"phone": text})
    number = normalize_phone(text)
    if is_plausible_phone(number):
        return PhoneCheck(number=number)
    if not number.startswith("0") and _is_landline("0" + number):
        if number_cell:
            return PhoneCheck(error=_("“%(phone)s” was stored as a number, so its leading 0 was lost "
                                      "(%(landline)s?); format the column as text and enter the number again.")
                              % {"phone": text, "landline": "0" + number})
        return PhoneCheck(error=_("“%(phone)s” is not a phone number; a landline starts with its area "
                                  "code and 0 (%(landline)s?).") % {"phone": text, "landline": "0" + number})
    if len(number) == 11 and number.startswith("1"):
        # the shortest start no allocated range begins with: 120, 154, 1743 (174 is partly allocated)
        size = next((n for n in range(3, 6) if not any(p.startswith(number[:n]) for p in MOBILE_PREFIXES)), 3)
        return PhoneCheck(error=_("“%(phone)s” is not a mobile number: %(prefix)s is not an allocated "
                                  "mobile number range.") % {"phone": text, "prefix": number[:size]})
    if number.startswith("1"):
        return PhoneCheck(error=_("“%(phone)s” is not a phone number: a mobile number has 11 digits.")
                          % {"phone": text})
    return PhoneCheck(error=_("“%(phone)s” is not a phone number.") % {"phone": text})


def clean_phones(raws: Iterable, *, current: Sequence[str] = (),
                 mask: Callable[[str], str] | None = None) -> tuple[list[str], list[str]]:
    """(numbers in normal form without repeats, reasons for the refused ones).

    ``current`` is the customer's numbers in order and ``mask`` how the caller was shown them: a
    masked value equal to the mask of the current number at the same position, or else of another
    current number not already kept, stands for that number (sent back unchanged). Any other
    masked value — and every masked value when there are no current numbers (on create) — is
    refused."""
    numbers: list[str] = []
    errors: list[str] = []
    masked_current = [mask(n) for n in current] if mask is not None else []
    for index, raw in enumerate(raws or ()):
        text = "" if raw is None else str(raw).strip()
        if not text:
            continue
        if is_masked(text):
            compact = re.sub(r"\s+", "", text).replace("＊", "*")
            same_place = index < len(masked_current) and masked_current[index] == compact \
                and current[index] not in numbers
            found = current[index] if same_place else next(
                (n for n, m in zip(current, masked_current, strict=False) if m == compact and n not in numbers), None)
            if found is not None:
                numbers.append(found)
            elif current:
                errors.append(_("“%(phone)s” is masked and is not one of this customer's numbers; enter the "
                                "full number.") % {"phone": text})
            else:
                errors.append(_("“%(phone)s” is masked; enter the full number.") % {"phone": text})
            continue
        result = check_phone(text)
        if not result.ok:
            errors.append(result.error)
        elif result.number not in numbers:
            numbers.append(result.number)
    return numbers, errors


# --- masking -----------------------------------------------------------------------------------------
def mask_phone(number: str, *, keep_start: int = 3, keep_end: int = 4) -> str:
    """138****1234. Short numbers keep fewer digits, so that at least four (or half) are hidden."""
    if not number:
        return ""
    n = len(number)
    if keep_start + keep_end > n - 4:
        keep_start, keep_end = min(keep_start, n // 4), min(keep_end, n // 4)
    hidden = n - keep_start - keep_end
    return number[:keep_start] + "*" * hidden + (number[n - keep_end:] if keep_end else "")
