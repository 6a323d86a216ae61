"""Print the latest figures of bench/out/results.json and bench/out/tickets.json as a Markdown table
(``python -m bench.report``), as pasted into bench/README.md."""

from __future__ import annotations

import json
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"


def rows(path: Path) -> list[str]:
    if not path.exists():
        return []
    data = json.loads(path.read_text())
    out = []
    for r in data["results"]:
        load = r["note"].rsplit("load average ", 1)[-1].split(" ")[0].rstrip(";") if "load average" in r["note"] else ""
        if r["kind"] == "create":
            rate = r["rows"] or 0
            out.append(f"| {r['name']} | **{rate:.0f}/s** | p50 {r['median_ms']:.0f} ms, p95 {r['p95_ms']:.0f} ms "
                       f"| > 300/s | {'ok' if rate > 300 else 'MISSED'} | {load} |")
        elif r["kind"] == "import":
            seconds = r["median_ms"] / 1000
            out.append(f"| {r['name']} | **{seconds:.0f} s** | | < 60 s | {'ok' if seconds < 60 else 'MISSED'} | |")
        else:
            verdict = "ok" if r["ok"] else "MISSED"
            matched = f" ({r['rows']:,.0f} rows)" if r.get("rows") is not None else ""
            out.append(f"| {r['name']}{matched} | **{r['median_ms']:.1f} ms** | {r['p95_ms']:.1f} ms "
                       f"| < {r['target_ms']:.0f} ms | {verdict} | {load} |")
    return out


def main() -> None:
    print("| measurement | median | p95 | target | verdict | load avg |")
    print("|---|---|---|---|---|---|")
    for name in ("results.json", "tickets.json"):
        for line in rows(OUT / name):
            print(line)


if __name__ == "__main__":
    main()
