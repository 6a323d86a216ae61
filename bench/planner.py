"""Speed of the shift-plan proposal (issue 10): one team of 30 people, 3 shift types, 7 days.

Run: ``.venv/bin/python -m bench.planner [time_limit_seconds] [num_workers]`` (defaults 30 and 2).
Pure CP-SAT, no database. Prints the wall time, status and plan figures for three cases: a requirement a
shift pattern can meet exactly, an Erlang-C-like hourly profile that it cannot, and the first with a third
of the people part-time (their own limit of 3 shifts a week, as WorkerProfile.max_shifts_per_week sets).
"""

import dataclasses
import sys
import time

from kefu.workforce.planner import propose_plan
from kefu.workforce.tests.test_planner import peaky_week, team_of_30_week


def main() -> None:
    limit = float(sys.argv[1]) if len(sys.argv) > 1 else 30.0
    workers = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    part_time = team_of_30_week()
    part_time["people"] = [dataclasses.replace(p, max_shifts=3) if i % 3 == 0 else p
                           for i, p in enumerate(part_time["people"])]
    for name, case in (("aligned", team_of_30_week()), ("peaky", peaky_week()), ("part-time", part_time)):
        started = time.monotonic()
        result = propose_plan(**case, time_limit_seconds=limit, num_workers=workers)
        print(
            f"{name}: {time.monotonic() - started:.2f} s (limit {limit:g} s, {workers} workers) "
            f"{result.status} time_limited={result.time_limited} shifts={len(result.assignments)} "
            f"agent_hours={result.total_agent_hours:g} shortfall={result.shortfall_agent_hours:g} "
            f"surplus={result.surplus_agent_hours:g}"
        )


if __name__ == "__main__":
    main()
