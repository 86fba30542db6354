"""Turn load results into the printed table and ``bench/results/<name>.json`` and ``.md``."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from .load import Scenario

#: Where :func:`write` puts the results (git-ignored).
RESULTS = Path(__file__).resolve().parent / "results"


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
    lines = [HEADER, *(_cells(row) for row in rows)]
    widths = [max(len(line[i]) for line in lines) for i in range(len(HEADER))]
    left = {0, 7}  # text columns; numbers align right
    return "\n".join(
        "  ".join(
            cell.ljust(width) if i in left else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(line, widths, strict=True))
        ).rstrip()
        for line in lines
    )


HEADER = ("scenario", "req/s", "p50 ms", "p99 ms", "vs bare", "SQL", "body B", "page", "errors")


def _cells(row: dict[str, Any]) -> tuple[str, ...]:
    return (
        row["scenario"],
        f"{row['rps']:.1f}",
        f"{row['p50_ms']:.2f}",
        f"{row['p99_ms']:.2f}",
        "-" if row["ratio"] is None else f"{row['ratio']:.3f}",
        str(row["queries"]),
        _sizes(row),
        _page(row),
        str(sum(row["errors"].values())),
    )


def markdown(title: str, note: str, rows: list[dict[str, Any]]) -> str:
    """Return the results as a Markdown section: a heading, a note and a table."""
    align = ["---" if i in (0, 7) else "---:" for i in range(len(HEADER))]
    lines = [f"## {title}", "", note, "", _md_row(HEADER), _md_row(align)]
    lines += [_md_row(_cells(row)) for row in rows]
    return "\n".join(lines) + "\n"


def _md_row(cells) -> str:
    return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"


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


def write(payload: dict[str, Any], text: str, name: str, folder: Path = RESULTS) -> Path:
    """Write ``payload`` as ``<name>.json`` and ``text`` as ``<name>.md`` in ``folder``; return
    the JSON file's path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.json"
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    path.with_suffix(".md").write_text(text, encoding="utf-8")
    return path


def scaling(small: list[dict[str, Any]], large: list[dict[str, Any]]) -> str:
    """Return a Markdown table of each page's p50 on the large world over its p50 on the
    demo world (the target: at most 1.25)."""
    by_name = {row["scenario"]: row for row in small}
    lines = [
        _md_row(("scenario", "p50 demo ms", "p50 large ms", "large / demo")),
        _md_row(("---", "---:", "---:", "---:")),
    ]
    for row in large:
        before = by_name.get(row["scenario"])
        if before is None or not before["p50_ms"]:
            continue
        ratio = row["p50_ms"] / before["p50_ms"]
        cells = (row["scenario"], f"{before['p50_ms']:.2f}", f"{row['p50_ms']:.2f}", f"{ratio:.2f}")
        lines.append(_md_row(cells))
    return "\n".join(lines) + "\n"
