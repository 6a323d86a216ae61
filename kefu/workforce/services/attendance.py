"""Exports of the attendance board (R-WFM-5): personal figures leave the system only with an audit record of
the export (R-AUD), written before the file is sent."""

from __future__ import annotations

import datetime as dt

from kefu.audit.services import Action, record


def record_board_export(*, actor, team, month: dt.date, people: int, fmt: str = "xlsx",
                        ip: str | None = None) -> None:
    """Record that ``actor`` exported ``team``'s attendance of ``month`` (``people`` rows)."""
    record(actor=actor, action=Action.EXPORT, obj=team, ip=ip,
           after={"what": "attendance", "month": f"{month:%Y-%m}", "format": fmt, "count": people},
           note=f"attendance {month:%Y-%m}, {people} people, {fmt}")
