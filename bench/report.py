"""Turn load results into the printed table and ``bench/results/latest.json``."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from .load import Scenario

#: Where :func:`write_json` puts the results (git-ignored).
RESULTS = Path(__file__).resolve().parent / "results" / "latest.json"


def percentile(values: list[float], p: float) -> float:
    """Return the ``p``-th percentile of ``values`` (nearest rank); ``nan`` when empty."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def summarize(
    scenarios: list[Scenario], checks: list[dict[str, Any]], runs: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Return one row per scenario; ``ratio`` is requests/s over the first scenario's (bare)."""
    rows = []
    for scenario, facts, run in zip(scenarios, checks, runs, strict=True):
        latencies = run["latencies"]
        rps = len(latencies) / run["elapsed"] if run["elapsed"] > 0 else 0.0
        rows.append(
            {
                "scenario": scenario.name,
                "path": scenario.path.split("?")[0],
                "user_agent": scenario.headers["User-Agent"],
                "keitai": scenario.keitai,
                "requests": len(latencies),
                "seconds": round(run["elapsed"], 3),
                "rps": round(rps, 1),
                "p50_ms": round(percentile(latencies, 50) * 1000, 2),
                "p99_ms": round(percentile(latencies, 99) * 1000, 2),
                "body_bytes_seen": run["body_bytes"],
                "errors": run["errors"],
                **facts,
            }
        )
    baseline = rows[0]["rps"] if rows else 0.0
    for row in rows:
        row["ratio"] = round(row["rps"] / baseline, 3) if baseline else None
    return rows


def table(rows: list[dict[str, Any]]) -> str:
    """Return the results as a plain-text table."""
    header = ("scenario", "req/s", "p50 ms", "p99 ms", "vs bare", "body B", "page", "errors")
    lines = [header]
    for row in rows:
        lines.append(
            (
                row["scenario"],
                f"{row['rps']:.1f}",
                f"{row['p50_ms']:.2f}",
                f"{row['p99_ms']:.2f}",
                "-" if row["ratio"] is None else f"{row['ratio']:.3f}",
                _sizes(row),
                _page(row),
                str(sum(row["errors"].values())),
            )
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    left = {0, 6}  # text columns; numbers align right
    return "\n".join(
        "  ".join(
            cell.ljust(width) if i in left else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(line, widths, strict=True))
        ).rstrip()
        for line in lines
    )


def _sizes(row: dict[str, Any]) -> str:
    """The body size in bytes, as a range when it varied during the load."""
    seen = row["body_bytes_seen"]
    if seen and seen[0] != seen[1]:
        return f"{seen[0]}-{seen[1]}"
    return str(seen[0] if seen else row["body_bytes"])


def _page(row: dict[str, Any]) -> str:
    """The charset label, and for keitai pages the cp932 check and the byte budget."""
    charset = row["content_type"].partition("charset=")[2] or "?"
    if not row["keitai"]:
        return charset
    decoded = "cp932 ok" if row["cp932_ok"] else "cp932 FAILS"
    return f"{charset}, {decoded}, budget {row['budget_bytes']}"


def failures(rows: list[dict[str, Any]]) -> list[str]:
    """Return one message per scenario with non-200 responses, errors or failed checks."""
    messages = []
    for row in rows:
        errors = ", ".join(f"{kind} x{count}" for kind, count in sorted(row["errors"].items()))
        if errors:
            messages.append(f"{row['scenario']}: {errors}")
        messages.extend(f"{row['scenario']}: {problem}" for problem in row["problems"])
    return messages


def write_json(payload: dict[str, Any], path: Path = RESULTS) -> Path:
    """Write ``payload`` as indented JSON to ``path``, creating its folder; return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path
