"""The typed registry of configurable rules ("rules are data").

SPEC.md: "Every rule below is configurable per organisation (admin screen and API) with the value given
here as the shipped default." Each number of SPEC.md is declared here as a :class:`RuleDef` with its SPEC
default; an administrator may override it per centre (:class:`kefu.rules.models.RuleValue`).

Other apps read the value in force with :func:`kefu.rules.selectors.get_rule` and may add their own
settings with :func:`register` (call it at import time of their ``rules.py`` / ``apps.ready``).

Values travel in two shapes:

* the *stored* (JSON) shape — what the database, the API and the audit trail hold:
  int → ``7``; decimal → ``"50.00"`` (a string, API.md "Money"); bool → ``true``; time → ``"09:00"``;
  choice → ``"business"``; time_ranges → ``[["12:00", "13:30"]]``; roles → ``["head", "director"]``;
* the *typed* shape :func:`get_rule` returns: ``int``, ``Decimal``, ``bool``, ``datetime.time``, ``str``,
  ``list[tuple[time, time]]``, ``list[str]``.

:meth:`RuleDef.clean` turns user input (JSON from the API or strings from a form) into the stored shape
or raises :class:`RuleValueError` with a localized message.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kefu.org.roles import Role


class RuleType:
    INT = "int"
    DECIMAL = "decimal"
    BOOL = "bool"
    TIME = "time"
    CHOICE = "choice"
    TIME_RANGES = "time_ranges"
    ROLES = "roles"

    ALL = (INT, DECIMAL, BOOL, TIME, CHOICE, TIME_RANGES, ROLES)


# The areas of the settings page, in display order.
GROUPS: dict[str, Any] = {
    "customers": gettext_lazy("Customers"),
    "tickets": gettext_lazy("Tickets"),
    "workforce": gettext_lazy("Shifts, attendance and leave"),
    "quality": gettext_lazy("Quality"),
    "performance": gettext_lazy("Performance and levels"),
    "calendar": gettext_lazy("Business calendar"),
    "security": gettext_lazy("Security and personal data"),
}

ROLE_CODES: tuple[str, ...] = tuple(Role.values)

_KEY_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[A-Za-z0-9_]+)+$")
_TIME_RE = re.compile(r"^\s*(\d{1,2}):(\d{2})(?::00)?\s*$")  # a browser's time input may add ":00"
_RANGE_SPLIT_RE = re.compile(r"[,;，；\n]+")
_RANGE_DASH_RE = re.compile(r"\s*[-–—~～至]\s*")


class RuleValueError(ValueError):
    """The input is not a valid value for the rule; ``message`` is localized and names the reason."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class RuleDef:
    """One configurable rule setting.

    ``min``/``max`` bound numbers; for ``time_ranges`` and ``roles`` they bound the number of items.
    ``choices`` is a tuple of ``(value, label)`` for ``choice``. ``unit`` is a short display suffix.
    """

    key: str
    type: str
    default: Any
    rule_id: str
    group: str
    label: Any
    help: Any = ""
    min: Any = None
    max: Any = None
    choices: tuple[tuple[str, Any], ...] = ()
    unit: Any = ""
    places: int = 2  # decimal places of a ``decimal`` (money: 2)

    # -- shapes --------------------------------------------------------------------------------

    @property
    def default_json(self) -> Any:
        """The SPEC default in the stored (JSON) shape."""
        return self.clean(self.default)

    def to_python(self, stored: Any) -> Any:
        """Stored (JSON) shape → typed value (see the module docstring)."""
        t = self.type
        if t == RuleType.INT:
            return int(stored)
        if t == RuleType.DECIMAL:
            return Decimal(str(stored))
        if t == RuleType.BOOL:
            return bool(stored)
        if t == RuleType.TIME:
            return _parse_time(stored)
        if t == RuleType.CHOICE:
            return str(stored)
        if t == RuleType.TIME_RANGES:
            return [(_parse_time(a), _parse_time(b)) for a, b in stored]
        if t == RuleType.ROLES:
            return [str(r) for r in stored]
        raise AssertionError(t)

    def json_bound(self, bound: Any) -> Any:
        """``min``/``max`` in the JSON shape (decimals as strings)."""
        if bound is None:
            return None
        if self.type == RuleType.DECIMAL:
            return _fmt_decimal(Decimal(str(bound)), self.places)
        return bound

    def choice_label(self, value: str) -> str:
        for code, label in self.choices:
            if code == value:
                return str(label)
        return value

    def display(self, stored: Any) -> str:
        """A human rendering of a stored value for the page (localized labels)."""
        t = self.type
        if t == RuleType.BOOL:
            return str(_("Yes") if stored else _("No"))
        if t == RuleType.CHOICE:
            return self.choice_label(stored)
        if t == RuleType.TIME_RANGES:
            return ", ".join(f"{a}–{b}" for a, b in stored) or str(_("None"))
        if t == RuleType.ROLES:
            labels = dict(Role.choices)
            return "、".join(str(labels.get(r, r)) for r in stored) or str(_("Nobody"))
        text = str(stored)
        unit = str(self.unit)
        if unit == _YUAN:  # money with thousands separators: ¥100,000.00
            return f"{_YUAN}{Decimal(text):,.{self.places}f}"
        if unit == _PCT:
            return f"{text}{_PCT}"
        if self.type == RuleType.INT and unit:
            return _natural_duration(int(stored), unit)
        return f"{text} {unit}" if unit else text

    def form_text(self, stored: Any) -> Any:
        """The value as a form shows it (roles as a list of codes, ranges as ``09:00-12:00, …``)."""
        if self.type == RuleType.TIME_RANGES:
            return ", ".join(f"{a}-{b}" for a, b in stored)
        if self.type == RuleType.BOOL:
            return "true" if stored else "false"
        return stored

    # -- validation ----------------------------------------------------------------------------

    def clean(self, raw: Any) -> Any:
        """Validate and coerce user input to the stored (JSON) shape, or raise RuleValueError."""
        if raw is None or (isinstance(raw, str) and not raw.strip() and self.type not in _LIST_TYPES):
            raise RuleValueError(_("A value is required."))
        cleaner = _CLEANERS[self.type]
        return cleaner(self, raw)


def _natural_duration(n: int, unit: str) -> str:
    """A duration in the units a person would say: 90 minutes → 1 小时 30 分钟, 72 hours → 3 天,
    365 days → 1 年; other numbers and units as they are (with thousands separators)."""
    minutes, hours, days = str(_MINUTES), str(_HOURS), str(_DAYS)
    if unit == minutes and n >= 60:
        h, m = divmod(n, 60)
        return f"{h} {hours} {m} {minutes}" if m else f"{h} {hours}"
    if unit == hours and n >= 48 and n % 24 == 0:
        return f"{n // 24} {days}"
    if unit == days and n >= 365 and n % 365 == 0:
        return f"{n // 365} {_YEARS}"
    return f"{n:,} {unit}"


# -- cleaners (stored shape out) --------------------------------------------------------------------


def _check_bounds(d: RuleDef, number, fmt: Callable[[Any], str] = str) -> None:
    if d.min is not None and number < d.min:
        raise RuleValueError(_("Must be at least %(min)s.") % {"min": fmt(d.min)})
    if d.max is not None and number > d.max:
        raise RuleValueError(_("Must be at most %(max)s.") % {"max": fmt(d.max)})


def _clean_int(d: RuleDef, raw: Any) -> int:
    if isinstance(raw, bool):
        raise RuleValueError(_("Enter a whole number."))
    whole_float = isinstance(raw, float) and raw.is_integer()
    whole_text = isinstance(raw, str) and re.fullmatch(r"\s*[-+]?\d+\s*", raw)
    if isinstance(raw, int) or whole_float or whole_text:
        number = int(raw)
    else:
        raise RuleValueError(_("Enter a whole number."))
    _check_bounds(d, number)
    return number


def _fmt_decimal(value: Decimal, places: int) -> str:
    return f"{value:.{places}f}"


def _clean_decimal(d: RuleDef, raw: Any) -> str:
    if isinstance(raw, bool) or not isinstance(raw, int | float | str | Decimal):
        raise RuleValueError(_("Enter a number."))
    try:
        number = Decimal(str(raw).strip())
    except InvalidOperation:
        raise RuleValueError(_("Enter a number.")) from None
    if not number.is_finite():
        raise RuleValueError(_("Enter a number."))
    exponent = number.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > d.places:
        raise RuleValueError(
            _("Use at most %(places)s decimal places.") % {"places": d.places}
        )
    _check_bounds(d, number, lambda b: _fmt_decimal(Decimal(str(b)), d.places))
    return _fmt_decimal(number, d.places)


_TRUE = {"true", "1", "yes", "on", "y", "t"}
_FALSE = {"false", "0", "no", "off", "n", "f"}


def _clean_bool(d: RuleDef, raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().lower() in _TRUE:
        return True
    if isinstance(raw, str) and raw.strip().lower() in _FALSE:
        return False
    raise RuleValueError(_("Enter true or false."))


def _parse_time(text: Any) -> dt.time:
    if isinstance(text, dt.time):
        return text.replace(second=0, microsecond=0, tzinfo=None)
    m = _TIME_RE.match(str(text)) if isinstance(text, str) else None
    if not m:
        raise RuleValueError(_("Enter a time as HH:MM."))
    hour, minute = int(m.group(1)), int(m.group(2))
    if hour > 23 or minute > 59:
        raise RuleValueError(_("Enter a time as HH:MM."))
    return dt.time(hour, minute)


def _fmt_time(value: dt.time) -> str:
    return value.strftime("%H:%M")


def _clean_time(d: RuleDef, raw: Any) -> str:
    value = _parse_time(raw)
    lo = _parse_time(d.min) if d.min is not None else None
    hi = _parse_time(d.max) if d.max is not None else None
    if lo is not None and value < lo:
        raise RuleValueError(_("Must be at least %(min)s.") % {"min": _fmt_time(lo)})
    if hi is not None and value > hi:
        raise RuleValueError(_("Must be at most %(max)s.") % {"max": _fmt_time(hi)})
    return _fmt_time(value)


def _clean_choice(d: RuleDef, raw: Any) -> str:
    codes = [c for c, _label in d.choices]
    if not isinstance(raw, str) or raw.strip() not in codes:
        raise RuleValueError(_("Choose one of: %(expected)s.") % {"expected": ", ".join(codes)})
    return raw.strip()


def _check_count(d: RuleDef, count: int) -> None:
    if d.min is not None and count < d.min:
        raise RuleValueError(_("Choose at least %(min)s.") % {"min": d.min})
    if d.max is not None and count > d.max:
        raise RuleValueError(_("Choose at most %(max)s.") % {"max": d.max})


def _clean_time_ranges(d: RuleDef, raw: Any) -> list[list[str]]:
    """``[["12:00","13:30"], …]`` or the text ``12:00-13:30, 17:30-18:00`` → sorted, non-overlapping."""
    if isinstance(raw, str):
        pieces = [p for p in _RANGE_SPLIT_RE.split(raw.strip()) if p.strip()]
        pairs: list[Any] = []
        for piece in pieces:
            parts = _RANGE_DASH_RE.split(piece.strip())
            if len(parts) != 2:
                raise RuleValueError(_("Write each period as HH:MM-HH:MM, separated by commas."))
            pairs.append(parts)
    elif isinstance(raw, list | tuple):
        pairs = list(raw)
    else:
        raise RuleValueError(_("Enter a list of periods, each [\"HH:MM\", \"HH:MM\"]."))
    ranges: list[tuple[dt.time, dt.time]] = []
    for pair in pairs:
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            raise RuleValueError(_("Enter a list of periods, each [\"HH:MM\", \"HH:MM\"]."))
        start, end = _parse_time(pair[0]), _parse_time(pair[1])
        if start >= end:
            raise RuleValueError(
                _("A period must end after it starts (%(start)s–%(end)s).")
                % {"start": _fmt_time(start), "end": _fmt_time(end)}
            )
        ranges.append((start, end))
    ranges.sort()
    for (_a, b), (c, _d) in zip(ranges, ranges[1:], strict=False):
        if c < b:
            raise RuleValueError(_("Periods must not overlap."))
    _check_count(d, len(ranges))
    return [[_fmt_time(a), _fmt_time(b)] for a, b in ranges]


def _clean_roles(d: RuleDef, raw: Any) -> list[str]:
    if isinstance(raw, str):
        items: Iterable[Any] = [p for p in re.split(r"[,\s，、]+", raw) if p]
    elif isinstance(raw, list | tuple):
        items = raw
    else:
        raise RuleValueError(_("Enter a list of roles."))
    chosen: set[str] = set()
    for item in items:
        if not isinstance(item, str) or item.strip() not in ROLE_CODES:
            raise RuleValueError(
                _("Unknown role “%(role)s”; choose from: %(expected)s.")
                % {"role": item, "expected": ", ".join(ROLE_CODES)}
            )
        chosen.add(item.strip())
    _check_count(d, len(chosen))
    return [r for r in ROLE_CODES if r in chosen]  # canonical order: agent … admin


_LIST_TYPES = {RuleType.TIME_RANGES, RuleType.ROLES}
_CLEANERS: dict[str, Callable[[RuleDef, Any], Any]] = {
    RuleType.INT: _clean_int,
    RuleType.DECIMAL: _clean_decimal,
    RuleType.BOOL: _clean_bool,
    RuleType.TIME: _clean_time,
    RuleType.CHOICE: _clean_choice,
    RuleType.TIME_RANGES: _clean_time_ranges,
    RuleType.ROLES: _clean_roles,
}


# -- constraints between settings ----------------------------------------------------------------


@dataclass(frozen=True)
class Constraint:
    """A check across several settings, run on every change (e.g. urgency bands must ascend).

    ``check(values)`` gets the typed values in force *after* the change for ``keys`` and the key being
    changed; it returns a localized message (refusal) or ``None``.
    """

    keys: tuple[str, ...]
    check: Callable[[dict[str, Any], str], str | None]


def ascending(*keys: str, strict: bool = True) -> Constraint:
    """The settings ``keys`` must be in ascending order (strictly unless ``strict=False``)."""

    def check(values: dict[str, Any], changed: str) -> str | None:
        i = keys.index(changed)
        mine = values[changed]
        if i > 0:
            prev = keys[i - 1]
            bad = mine <= values[prev] if strict else mine < values[prev]
            if bad:
                msg = (_("Must be greater than “%(label)s” (%(value)s).") if strict
                       else _("Must be at least “%(label)s” (%(value)s)."))
                return msg % {"label": get_def(prev).label, "value": _shown(prev, values[prev])}
        if i + 1 < len(keys):
            nxt = keys[i + 1]
            bad = mine >= values[nxt] if strict else mine > values[nxt]
            if bad:
                msg = (_("Must be less than “%(label)s” (%(value)s).") if strict
                       else _("Must be at most “%(label)s” (%(value)s)."))
                return msg % {"label": get_def(nxt).label, "value": _shown(nxt, values[nxt])}
        return None

    return Constraint(keys=tuple(keys), check=check)


def _shown(key: str, typed: Any) -> str:
    if isinstance(typed, dt.time):
        return _fmt_time(typed)
    return str(typed)


def _breaks_within_hours(values: dict[str, Any], changed: str) -> str | None:
    start, end = values["calendar.work_start"], values["calendar.work_end"]
    for a, b in values["calendar.breaks"]:
        if a < start or b > end:
            return _("Breaks must lie within the working hours (%(start)s–%(end)s).") % {
                "start": _fmt_time(start), "end": _fmt_time(end)}
    return None


# -- the registry ---------------------------------------------------------------------------------

_REGISTRY: dict[str, RuleDef] = {}
_CONSTRAINTS: list[Constraint] = []


def register(*defs: RuleDef) -> None:
    """Add settings. A key may be registered once (registering an equal definition again is a no-op)."""
    for d in defs:
        if not _KEY_RE.match(d.key):
            raise ValueError(f"Rule key {d.key!r} must be dotted, e.g. 'customers.cadence_days.A'.")
        if d.type not in RuleType.ALL:
            raise ValueError(f"Rule {d.key}: unknown type {d.type!r}.")
        if d.group not in GROUPS:
            raise ValueError(f"Rule {d.key}: unknown group {d.group!r}; one of {list(GROUPS)}.")
        if d.type == RuleType.CHOICE and not d.choices:
            raise ValueError(f"Rule {d.key}: a choice needs choices.")
        try:
            d.clean(d.default)
        except RuleValueError as exc:
            raise ValueError(f"Rule {d.key}: the default {d.default!r} is invalid: {exc.message}") from None
        existing = _REGISTRY.get(d.key)
        if existing is not None and existing != d:
            raise ValueError(f"Rule {d.key} is already registered differently.")
        _REGISTRY[d.key] = d


def register_constraint(*constraints: Constraint) -> None:
    for c in constraints:
        for key in c.keys:
            get_def(key)
        _CONSTRAINTS.append(c)


def all_defs() -> list[RuleDef]:
    """Every registered setting, in registration order."""
    return list(_REGISTRY.values())


def get_def(key: str) -> RuleDef:
    """The definition of ``key``; ``KeyError`` when no such setting exists."""
    return _REGISTRY[key]


def has_def(key: str) -> bool:
    return key in _REGISTRY


def constraints_for(key: str) -> list[Constraint]:
    return [c for c in _CONSTRAINTS if key in c.keys]


# -- the settings of SPEC.md, with SPEC defaults -----------------------------------------------------

_DAYS = gettext_lazy("days")
_MONTHS = gettext_lazy("months")
_HOURS = gettext_lazy("hours")
_MINUTES = gettext_lazy("minutes")
_YEARS = gettext_lazy("years")
_PCT = "%"
_YUAN = "¥"
_MAX_MONEY = Decimal("99999999.99")

_GRADE_CADENCE = {"A": 1, "B": 7, "C": 15, "D": 30, "E": 365}
_GRADE_LABEL = {
    "A": gettext_lazy("Follow-up cadence, grade A (days)"),
    "B": gettext_lazy("Follow-up cadence, grade B (days)"),
    "C": gettext_lazy("Follow-up cadence, grade C (days)"),
    "D": gettext_lazy("Follow-up cadence, grade D (days)"),
    "E": gettext_lazy("Follow-up cadence, grade E (days)"),
}

SPEC_DEFS: tuple[RuleDef, ...] = (
    # --- customers (SPEC §2) ---
    *(
        RuleDef(
            key=f"customers.cadence_days.{grade}", type=RuleType.INT, default=days, min=1, max=3650,
            unit=_DAYS, rule_id="R-CUS-4", group="customers", label=_GRADE_LABEL[grade],
            help=gettext_lazy("Days from the last follow-up to the next one for a customer of this grade: "
                    "next due = last follow-up + cadence."),
        )
        for grade, days in _GRADE_CADENCE.items()
    ),
    RuleDef(
        key="customers.importance_threshold", type=RuleType.DECIMAL, default=Decimal("100000.00"),
        min=Decimal("0.00"), max=_MAX_MONEY, unit=_YUAN, rule_id="R-CUS-2", group="customers",
        label=gettext_lazy("Importance threshold (expected deal amount)"),
        help=gettext_lazy("A customer whose expected deal amount is at least this much is important."),
    ),
    RuleDef(
        key="customers.urgency_days.urgent", type=RuleType.INT, default=7, min=1, max=3650, unit=_DAYS,
        rule_id="R-CUS-2", group="customers", label=gettext_lazy("Urgent: next action due within (days)"),
        help=gettext_lazy("Next action due within this many days: urgent."),
    ),
    RuleDef(
        key="customers.urgency_days.soon", type=RuleType.INT, default=30, min=1, max=3650, unit=_DAYS,
        rule_id="R-CUS-2", group="customers", label=gettext_lazy("Fairly urgent: next action due within (days)"),
        help=gettext_lazy("Next action due after the urgent limit and within this many days: fairly urgent."),
    ),
    RuleDef(
        key="customers.urgency_days.not_urgent", type=RuleType.INT, default=90, min=1, max=3650, unit=_DAYS,
        rule_id="R-CUS-2", group="customers", label=gettext_lazy("Not urgent: next action due within (days)"),
        help=gettext_lazy("Next action due within this many days: not urgent; later than that: can wait."),
    ),
    RuleDef(
        key="customers.grade_months.A", type=RuleType.INT, default=1, min=1, max=120, unit=_MONTHS,
        rule_id="R-CUS-3", group="customers", label=gettext_lazy("Proposed grade A: expected close within (months)"),
        help=gettext_lazy("A customer with a clear need expected to close within this many months is proposed as A."),
    ),
    RuleDef(
        key="customers.grade_months.B", type=RuleType.INT, default=3, min=1, max=120, unit=_MONTHS,
        rule_id="R-CUS-3", group="customers", label=gettext_lazy("Proposed grade B: expected close within (months)"),
        help=gettext_lazy("A clear need expected to close within this many months (after the A limit) is proposed as B."),
    ),
    RuleDef(
        key="customers.grade_months.C", type=RuleType.INT, default=6, min=1, max=120, unit=_MONTHS,
        rule_id="R-CUS-3", group="customers", label=gettext_lazy("Proposed grade C: expected close within (months)"),
        help=gettext_lazy("A clear need expected to close within this many months (after the B limit) is proposed as C; "
                "later than this, D."),
    ),
    RuleDef(
        key="customers.vip_share_pct", type=RuleType.INT, default=20, min=1, max=100, unit=_PCT,
        rule_id="R-CUS-7", group="customers", label=gettext_lazy("VIP share (top percent by value score)"),
        help=gettext_lazy("Customers in this top share by value score are VIPs (the 80/20 rule); prospects whose "
                "expected amount would place them there are potential VIPs."),
    ),
    RuleDef(
        key="customers.churn_frequency_share_pct", type=RuleType.INT, default=50, min=1, max=100, unit=_PCT,
        rule_id="R-CUS-8", group="customers", label=gettext_lazy("Churn risk: purchase frequency below (percent of own average)"),
        help=gettext_lazy("A VIP whose recent purchase frequency falls below this share of its own average is at risk."),
    ),
    RuleDef(
        key="customers.churn_overdue_cadences", type=RuleType.INT, default=1, min=1, max=100,
        rule_id="R-CUS-8", group="customers", label=gettext_lazy("Churn risk: follow-up overdue by more than (cadences)"),
        help=gettext_lazy("A VIP whose follow-up is overdue by more than this many cadences of its grade is at risk."),
    ),
    RuleDef(
        key="customers.pool_reclaim_cadences", type=RuleType.INT, default=3, min=1, max=100,
        rule_id="R-CUS-10", group="customers", label=gettext_lazy("Return to the pool after (× cadence) without follow-up"),
        help=gettext_lazy("A customer with no follow-up for longer than this many cadences of its grade returns to "
                "the shop's customer pool."),
    ),
    # --- tickets (SPEC §3) ---
    RuleDef(
        key="tickets.sla_warning_pct", type=RuleType.INT, default=80, min=1, max=100, unit=_PCT,
        rule_id="R-TIC-4", group="tickets", label=gettext_lazy("SLA warning at (percent of the time limit)"),
        help=gettext_lazy("A ticket is flagged when this share of its time limit has been used."),
    ),
    RuleDef(
        key="tickets.sla_breach_pct", type=RuleType.INT, default=100, min=1, max=100, unit=_PCT,
        rule_id="R-TIC-4", group="tickets", label=gettext_lazy("SLA breach at (percent of the time limit)"),
        help=gettext_lazy("A ticket is in breach when this share of its time limit has been used."),
    ),
    RuleDef(
        key="tickets.stuck_hours", type=RuleType.INT, default=24, min=1, max=720, unit=_HOURS,
        rule_id="R-TIC-5", group="tickets", label=gettext_lazy("Stuck ticket after (hours without action)"),
        help=gettext_lazy("A ticket with no action for this long appears on the lead's board and its owner is reminded."),
    ),
    RuleDef(
        key="tickets.compensation_limit.agent", type=RuleType.DECIMAL, default=Decimal("50.00"),
        min=Decimal("0.00"), max=_MAX_MONEY, unit=_YUAN, rule_id="R-TIC-7", group="tickets",
        label=gettext_lazy("Compensation authority: agent (up to)"),
        help=gettext_lazy("An agent may grant compensation up to this amount; more needs approval."),
    ),
    RuleDef(
        key="tickets.compensation_limit.lead", type=RuleType.DECIMAL, default=Decimal("200.00"),
        min=Decimal("0.00"), max=_MAX_MONEY, unit=_YUAN, rule_id="R-TIC-7", group="tickets",
        label=gettext_lazy("Compensation authority: team lead (up to)"),
        help=gettext_lazy("A team lead may grant or approve compensation up to this amount."),
    ),
    RuleDef(
        key="tickets.compensation_limit.head", type=RuleType.DECIMAL, default=Decimal("1000.00"),
        min=Decimal("0.00"), max=_MAX_MONEY, unit=_YUAN, rule_id="R-TIC-7", group="tickets",
        label=gettext_lazy("Compensation authority: department head (up to)"),
        help=gettext_lazy("A department head may grant or approve compensation up to this amount; above it, the "
                "centre director."),
    ),
    # --- workforce (SPEC §4) ---
    RuleDef(
        key="workforce.roll_call_minutes", type=RuleType.INT, default=10, min=0, max=240, unit=_MINUTES,
        rule_id="R-WFM-1", group="workforce", label=gettext_lazy("Roll call before the shift (minutes)"),
        help=gettext_lazy("The roll call takes place this many minutes before the shift starts."),
    ),
    RuleDef(
        key="workforce.swap_max_per_month", type=RuleType.INT, default=2, min=0, max=31,
        rule_id="R-WFM-3", group="workforce", label=gettext_lazy("Shift swaps per person per month (at most)"),
        help=gettext_lazy("A person may take part in at most this many shift swaps in a calendar month."),
    ),
    RuleDef(
        key="workforce.swap_min_rest_hours", type=RuleType.INT, default=8, min=0, max=48, unit=_HOURS,
        rule_id="R-WFM-3", group="workforce", label=gettext_lazy("Minimum rest between shifts (hours)"),
        help=gettext_lazy("A shift added to the roster, or a swap, is refused when a person would get less rest "
                          "than this between two shifts."),
    ),
    RuleDef(
        key="workforce.swap_max_level_gap", type=RuleType.INT, default=1, min=0, max=10,
        rule_id="R-WFM-3", group="workforce", label=gettext_lazy("Shift swaps: level difference (at most)"),
        help=gettext_lazy("Two people may swap shifts only when their levels are at most this many steps apart "
                          "(no level counts as the first step)."),
    ),
    RuleDef(
        key="workforce.leave_notice_hours", type=RuleType.INT, default=24, min=0, max=720, unit=_HOURS,
        rule_id="R-WFM-4", group="workforce", label=gettext_lazy("Personal leave: notice before the shift (hours)"),
        help=gettext_lazy("Personal leave must be asked at least this long before the first affected shift starts."),
    ),
    RuleDef(
        key="workforce.special_leave_notice_hours", type=RuleType.INT, default=1, min=0, max=720,
        unit=_HOURS, rule_id="R-WFM-4", group="workforce",
        label=gettext_lazy("Special personal leave: notice before the shift (hours)"),
        help=gettext_lazy("Special personal leave must be asked at least this long before the shift starts."),
    ),
    RuleDef(
        key="workforce.night_leave_cutoff", type=RuleType.TIME, default="12:00", rule_id="R-WFM-4",
        group="workforce", label=gettext_lazy("Night-shift leave: ask before (time of day)"),
        help=gettext_lazy("Leave from a night shift must be asked before this time on the day of the shift."),
    ),
    RuleDef(
        key="workforce.holiday_leave_notice_days", type=RuleType.INT, default=2, min=0, max=365, unit=_DAYS,
        rule_id="R-WFM-4", group="workforce", label=gettext_lazy("Leave on a public holiday: notice (days)"),
        help=gettext_lazy("Leave on a public holiday needs at least this many days' notice and the director's approval."),
    ),
    RuleDef(
        key="workforce.head_leave_max_days", type=RuleType.INT, default=1, min=0, max=365, unit=_DAYS,
        rule_id="R-WFM-4", group="workforce", label=gettext_lazy("Department head approves leave up to (days)"),
        help=gettext_lazy("Leave up to this many days is approved by the department head; longer leave by the "
                "centre director."),
    ),
    RuleDef(
        key="workforce.sick_certificate_days", type=RuleType.INT, default=1, min=1, max=365, unit=_DAYS,
        rule_id="R-WFM-4", group="workforce", label=gettext_lazy("Sick leave needs a medical certificate from (days)"),
        help=gettext_lazy("Sick leave of this many days or more needs a medical certificate, uploaded by the first "
                "day back."),
    ),
    RuleDef(
        key="workforce.late_minutes", type=RuleType.INT, default=20, min=1, max=480, unit=_MINUTES,
        rule_id="R-WFM-5", group="workforce", label=gettext_lazy("Late arrival is a violation from (minutes)"),
        help=gettext_lazy("Arriving this many minutes late or more is a violation."),
    ),
    RuleDef(
        key="workforce.away_minutes", type=RuleType.INT, default=20, min=1, max=480, unit=_MINUTES,
        rule_id="R-WFM-5", group="workforce", label=gettext_lazy("Away from the post is a violation from (minutes)"),
        help=gettext_lazy("Being away from the post this long or longer without leave is a violation."),
    ),
    # --- quality (SPEC §5) ---
    RuleDef(
        key="quality.reviews_per_month.min", type=RuleType.INT, default=1, min=0, max=100,
        rule_id="R-QA-2", group="quality", label=gettext_lazy("QA reviews per agent per month (at least)"),
        help=gettext_lazy("Each agent gets at least this many reviews a month; agents below it are shown."),
    ),
    RuleDef(
        key="quality.reviews_per_month.max", type=RuleType.INT, default=5, min=1, max=100,
        rule_id="R-QA-2", group="quality", label=gettext_lazy("QA reviews per agent per month (at most)"),
        help=gettext_lazy("Sampling stops at this many reviews per agent a month."),
    ),
    RuleDef(
        key="quality.appeals_per_review", type=RuleType.INT, default=1, min=0, max=10,
        rule_id="R-QA-2", group="quality", label=gettext_lazy("Appeals per review (at most)"),
        help=gettext_lazy("How many times an agent may appeal one review; a department head decides."),
    ),
    # --- performance and levels (SPEC R-ORG-3, §6) ---
    # The level criteria (R-ORG-3) are the ladder's data (workforce.Level, edited on the ladder page); the
    # settings performance.level_iron.* that seeded the iron level (workforce migration 0005) are retired.
    RuleDef(
        key="performance.monthly_report_due_day", type=RuleType.INT, default=22, min=1, max=28,
        rule_id="R-KPI-2", group="performance", label=gettext_lazy("Monthly quality analysis due by (day of month)"),
        help=gettext_lazy("The monthly service quality analysis is due by this day of the month."),
    ),
    RuleDef(
        key="performance.monthly_report_remind_day", type=RuleType.INT, default=20, min=1, max=28,
        rule_id="R-KPI-2", group="performance", label=gettext_lazy("Monthly quality analysis reminder on (day of month)"),
        help=gettext_lazy("On this day the department heads who have not published last month's analysis are reminded."),
    ),
    # --- business calendar (R-CAL, R-TIC-4). These four keys are read by kefu.bizcalendar. ---
    RuleDef(
        key="calendar.mode", type=RuleType.CHOICE, default="business",
        choices=(("business", gettext_lazy("Business hours on the business calendar")), ("24x7", gettext_lazy("7×24"))),
        rule_id="R-TIC-4", group="calendar", label=gettext_lazy("Time limits are counted in"),
        help=gettext_lazy("Business hours skip rest days, public holidays and breaks; 7×24 counts every hour."),
    ),
    RuleDef(
        key="calendar.work_start", type=RuleType.TIME, default="09:00", rule_id="R-CAL", group="calendar",
        label=gettext_lazy("Working day starts at"), help=gettext_lazy("Start of business hours on a working day."),
    ),
    RuleDef(
        key="calendar.work_end", type=RuleType.TIME, default="18:00", rule_id="R-CAL", group="calendar",
        label=gettext_lazy("Working day ends at"), help=gettext_lazy("End of business hours on a working day."),
    ),
    RuleDef(
        key="calendar.breaks", type=RuleType.TIME_RANGES, default=[["12:00", "13:30"]], min=0, max=10,
        rule_id="R-CAL", group="calendar", label=gettext_lazy("Breaks"),
        help=gettext_lazy("Periods within the working day that do not count as business hours, "
                "e.g. 12:00-13:30, separated by commas."),
    ),
    # --- security and personal data (R-CUS-1, R-AUD) ---
    RuleDef(
        key="security.phone_full_view_roles", type=RuleType.ROLES,
        default=[Role.HEAD, Role.DIRECTOR, Role.ADMIN], min=0, rule_id="R-CUS-1", group="security",
        label=gettext_lazy("Roles that see phone numbers in full"),
        help=gettext_lazy("Everyone else sees phone numbers masked (138****1234); every full view is recorded."),
    ),
    RuleDef(
        key="security.phone_mask.keep_start", type=RuleType.INT, default=3, min=0, max=20,
        rule_id="R-CUS-1", group="security", label=gettext_lazy("Masked phone: digits shown at the start"),
        help=gettext_lazy("How many leading digits a masked phone number shows (138****1234: 3)."),
    ),
    RuleDef(
        key="security.phone_mask.keep_end", type=RuleType.INT, default=4, min=0, max=20,
        rule_id="R-CUS-1", group="security", label=gettext_lazy("Masked phone: digits shown at the end"),
        help=gettext_lazy("How many trailing digits a masked phone number shows (138****1234: 4)."),
    ),
)

register(*SPEC_DEFS)

register_constraint(
    ascending("customers.urgency_days.urgent", "customers.urgency_days.soon", "customers.urgency_days.not_urgent"),
    ascending("customers.grade_months.A", "customers.grade_months.B", "customers.grade_months.C"),
    ascending("tickets.sla_warning_pct", "tickets.sla_breach_pct"),
    ascending("tickets.compensation_limit.agent", "tickets.compensation_limit.lead",
              "tickets.compensation_limit.head", strict=False),
    ascending("quality.reviews_per_month.min", "quality.reviews_per_month.max", strict=False),
    ascending("calendar.work_start", "calendar.work_end"),
    Constraint(keys=("calendar.work_start", "calendar.work_end", "calendar.breaks"), check=_breaks_within_hours),
)

# --- training (R-TRN-1), read by kefu.training ---
GROUPS["training"] = gettext_lazy("Training")
TRAINING_DEFS = (
    RuleDef(
        key="training.pass_mark", type=RuleType.INT, default=80, min=0, max=100,
        rule_id="R-TRN-1", group="training", label=gettext_lazy("Exam pass mark (score out of 100)"),
        help=gettext_lazy("An exam attempt scoring this much or more passes."),
    ),
    RuleDef(
        key="training.max_attempts", type=RuleType.INT, default=3, min=1, max=20,
        rule_id="R-TRN-1", group="training", label=gettext_lazy("Exam attempts per course (at most)"),
        help=gettext_lazy("How many times a person may take the exam of one course, retakes included."),
    ),
    RuleDef(
        key="training.grace_seconds", type=RuleType.INT, default=30, min=0, max=600,
        rule_id="R-TRN-1", group="training", label=gettext_lazy("Exam time limit: grace (seconds)"),
        help=gettext_lazy("Answers arriving this long after the time limit still count; later ones are refused."),
    ),
    RuleDef(
        key="training.multiple_choice_scoring", type=RuleType.CHOICE, default="all_or_nothing",
        choices=(("all_or_nothing", gettext_lazy("All or nothing")),
                 ("partial", gettext_lazy("Partial credit (no wrong option chosen)"))),
        rule_id="R-TRN-1", group="training", label=gettext_lazy("Multiple-choice questions are scored"),
        help=gettext_lazy("All or nothing: a point only when exactly the right options are chosen. Partial: "
                          "the share of right options chosen, nothing when a wrong one is chosen."),
    ),
)
register(*TRAINING_DEFS)

# --- quality inspection: monthly quota and the sampling's risk weights (SPEC R-QA-2) ---
# (the monthly quota is ``quality.reviews_per_month.min`` above, at most ``quality.reviews_per_month.max``)
QUALITY_DEFS = (
    RuleDef(
        key="quality.sample_weight.flagged", type=RuleType.INT, default=3, min=0, max=50,
        rule_id="R-QA-2", group="quality", label=gettext_lazy("Sampling weight added for a flagged ticket"),
        help=gettext_lazy("A ticket an automatic check flagged (a forbidden phrase, no greeting, a late reply…) "
                          "weighs this much more in the sample."),
    ),
    RuleDef(
        key="quality.checks.standard_reply_chars", type=RuleType.INT, default=10, min=4, max=200,
        rule_id="R-QA-2", group="quality", label=gettext_lazy("A standard reply is used when a reply quotes (characters)"),
        help=gettext_lazy("The automatic check counts a standard reply as used when a public reply quotes at least "
                          "this many consecutive characters of it (spaces ignored)."),
    ),
    RuleDef(
        key="quality.weak_item_percent", type=RuleType.INT, default=80, min=1, max=100,
        rule_id="R-QA-3", group="quality", label=gettext_lazy("A weak item (短板) scores below this percent of its weight"),
        help=gettext_lazy("In the weekly QA summary, an agent's item is a weak point when its average points "
                          "over the week are below this share of the item's weight."),
    ),
    RuleDef(
        key="quality.summary_training_days", type=RuleType.INT, default=14, min=1, max=90,
        rule_id="R-QA-3", group="quality", label=gettext_lazy("Training proposed on publishing is due in (days)"),
        help=gettext_lazy("Publishing a weekly QA summary proposes training for the weak points, due this many "
                          "days later."),
    ),
    RuleDef(
        key="quality.sample_weight.complaint", type=RuleType.INT, default=4, min=0, max=50,
        rule_id="R-QA-2", group="quality", label=gettext_lazy("Sampling weight added for a complaint"),
        help=gettext_lazy("Every ticket weighs 1 in the sample; a complaint weighs this much more."),
    ),
    RuleDef(
        key="quality.sample_weight.low_satisfaction", type=RuleType.INT, default=4, min=0, max=50,
        rule_id="R-QA-2", group="quality", label=gettext_lazy("Sampling weight added for low callback satisfaction"),
        help=gettext_lazy("A ticket whose callback satisfaction is low weighs this much more in the sample."),
    ),
    RuleDef(
        key="quality.sample_low_satisfaction", type=RuleType.INT, default=2, min=1, max=4,
        rule_id="R-QA-2", group="quality", label=gettext_lazy("Low callback satisfaction is at most"),
        help=gettext_lazy("A callback satisfaction (1–5) of this or lower counts as low for the sample."),
    ),
    RuleDef(
        key="quality.sample_weight.breached", type=RuleType.INT, default=3, min=0, max=50,
        rule_id="R-QA-2", group="quality", label=gettext_lazy("Sampling weight added for a breached time limit"),
        help=gettext_lazy("A ticket that breached its time limit weighs this much more in the sample."),
    ),
    RuleDef(
        key="quality.sample_weight.reopened", type=RuleType.INT, default=3, min=0, max=50,
        rule_id="R-QA-2", group="quality", label=gettext_lazy("Sampling weight added for a reopened ticket"),
        help=gettext_lazy("A ticket that was reopened weighs this much more in the sample."),
    ),
)
register(*QUALITY_DEFS)


# --- staffing advice and shift plan proposals (issue 10, R-WFM-1), read by kefu.workforce: not SPEC numbers ---
WORKFORCE_PLANNING_DEFS = (
    RuleDef(
        key="workforce.staffing_weeks", type=RuleType.INT, default=4, min=1, max=26, rule_id="R-WFM-1",
        group="workforce", label=gettext_lazy("Staffing advice: weeks of ticket history"),
        help=gettext_lazy("The contacts of an hour are forecast as the mean of the same weekday and hour over this "
                          "many past weeks (public holidays left out)."),
    ),
    RuleDef(
        key="workforce.default_handle_seconds", type=RuleType.INT, default=300, min=1, max=36000,
        rule_id="R-WFM-1", group="workforce", label=gettext_lazy("Staffing advice: handling time without data (seconds)"),
        help=gettext_lazy("The average handling time used when the tickets of the history record none."),
    ),
    RuleDef(
        key="workforce.service_level_pct", type=RuleType.INT, default=80, min=1, max=99, unit=_PCT,
        rule_id="R-WFM-1", group="workforce", label=gettext_lazy("Staffing advice: service level target (percent)"),
        help=gettext_lazy("This share of contacts is to be answered within the answer time."),
    ),
    RuleDef(
        key="workforce.answer_seconds", type=RuleType.INT, default=20, min=0, max=3600,
        rule_id="R-WFM-1", group="workforce", label=gettext_lazy("Staffing advice: answer time (seconds)"),
        help=gettext_lazy("The service level target counts the contacts answered within this many seconds."),
    ),
    RuleDef(
        key="workforce.max_occupancy_pct", type=RuleType.INT, default=85, min=1, max=100, unit=_PCT,
        rule_id="R-WFM-1", group="workforce", label=gettext_lazy("Staffing advice: maximum occupancy (percent)"),
        help=gettext_lazy("Agents are planned so that they are busy at most this share of their time."),
    ),
    RuleDef(
        key="workforce.shrinkage_pct", type=RuleType.INT, default=30, min=0, max=90, unit=_PCT,
        rule_id="R-WFM-1", group="workforce", label=gettext_lazy("Staffing advice: shrinkage (percent)"),
        help=gettext_lazy("The share of rostered time lost to breaks, training and absence: the agents needed are "
                          "grossed up by it."),
    ),
    RuleDef(
        key="workforce.max_shifts_per_week", type=RuleType.INT, default=5, min=0, max=7,
        rule_id="R-WFM-1", group="workforce", label=gettext_lazy("Shift plan proposal: shifts per person per week (at most)"),
        help=gettext_lazy("A proposed week gives nobody more shifts than this (a person's profile may set fewer or more)."),
    ),
    RuleDef(
        key="workforce.plan_time_limit_seconds", type=RuleType.INT, default=30, min=1, max=600,
        rule_id="R-WFM-1", group="workforce", label=gettext_lazy("Shift plan proposal: solver time limit (seconds)"),
        help=gettext_lazy("The solver stops after this long with the best plan found so far."),
    ),
)
register(*WORKFORCE_PLANNING_DEFS)
