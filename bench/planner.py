"""Speed of the shift-plan proposal (issue 10): one team of 30 people, 3 shift types, 7 days.

Run: ``.venv/bin/python -m bench.planner [time_limit_seconds] [num_workers]`` (defaults 30 and 2).
Pure CP-SAT, no database. Prints the wall time, status and plan figures for two requirement shapes:
one a shift pattern can meet exactly and an Erlang-C-like hourly profile that it cannot.
"""

import sys
import time

from kefu.workforce.planner import propose_plan
from kefu.workforce.tests.test_planner import peaky_week, team_of_30_week


def main() -> None:
    limit = float(sys.argv[1]) if len(sys.argv) > 1 else 30.0
    workers = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    for name, case in (("aligned", team_of_30_week()), ("peaky", peaky_week())):
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
