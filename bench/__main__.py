"""Measure keitai-portal against a bare Flask app, both served by waitress.

Builds a fresh SQLite demo world in a temporary folder (and with ``--users N`` or
``BENCH_USERS=N`` also a copy of a kept large world of N members, built once under
bench/worlds/), serves the portal and the bare app with the portal's waitress settings, logs
the demo member in from a PC (cookies) and from a cookie-less docomo phone (sid in the URL),
then loads each page from a separate process and prints requests/s, latency, the ratio to
bare, SQL statements per request and body bytes. Writes bench/results/<name>.json and .md.
Exits 1 when any response was not 200 or a page check failed.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import shutil
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from . import load, report, scenarios
from .servers import PORT_BASE, Server, build_world, world_env


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    users = os.environ.get("BENCH_USERS")
    parser.add_argument(
        "--users",
        type=int,
        default=int(users) if users else None,
        help="also measure a large world of this many members (default: BENCH_USERS, or none)",
    )
    parser.add_argument(
        "--concurrency", type=int, default=8, help="keep-alive connections (default: 8)"
    )
    parser.add_argument(
        "--seconds", type=float, default=5.0, help="measured seconds per scenario (default: 5)"
    )
    parser.add_argument(
        "--warmup", type=float, default=0.5, help="warm-up seconds per scenario (default: 0.5)"
    )
    parser.add_argument(
        "--name",
        default=os.environ.get("BENCH_NAME", "latest"),
        help="results file name under bench/results/ (default: BENCH_NAME, or latest)",
    )
    parser.add_argument("--output", type=Path, default=report.RESULTS, help="results folder")
    args = parser.parse_args(argv)
    if args.concurrency < 1 or args.seconds <= 0 or args.warmup < 0:
        parser.error("--concurrency must be >= 1, --seconds > 0, --warmup >= 0")
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the whole benchmark; return the exit status."""
    args = parse_args(argv)
    worlds: list[int | None] = [None] if args.users is None else [None, args.users]
    results = []
    try:
        for users in worlds:
            folder = Path(tempfile.mkdtemp(prefix="keitai-bench-"))
            try:
                results.append(bench(args, folder, users))
            finally:
                shutil.rmtree(folder, ignore_errors=True)
    except RuntimeError as e:
        print(f"bench: {e}", file=sys.stderr)
        return 2
    return finish(args, results)


def bench(args: argparse.Namespace, folder: Path, users: int | None) -> dict[str, Any]:
    """Build one world in ``folder``, serve, load; return its results."""
    ports = (PORT_BASE + 1, PORT_BASE + 2)
    env = world_env(folder, ports)
    say(f"building the {'demo' if users is None else f'{users}-member'} world")
    world = build_world(env, users)
    say(f"  {world}")
    paths = scenarios.targets(env["DATABASE_URL"])
    with contextlib.ExitStack() as stack:
        hello = stack.enter_context(
            Server("bare flask", "bench.hello:app", ports[0], env, folder / "hello.log")
        )
        portal = stack.enter_context(
            Server("portal", "wsgi:app", ports[1], env, folder / "portal.log")
        )
        say(f"serving: bare flask on :{hello.port}, portal on :{portal.port}")
        measured = scenarios.build(hello.port, portal.port, paths)
        checks = [scenarios.check(scenario) for scenario in measured]
        say(f"loading ({args.concurrency} connections)")
        runs = load.run(
            measured,
            concurrency=args.concurrency,
            seconds=args.seconds,
            warmup=args.warmup,
            progress=say,
        )
    rows = report.summarize(measured, checks, runs)
    label = "demo world" if users is None else f"{users}-member world"
    args.output.mkdir(parents=True, exist_ok=True)
    log = args.output / f"{args.name}-{'demo' if users is None else users}-portal.log"
    shutil.copyfile(folder / "portal.log", log)  # tracebacks of any 500 are in it
    return {
        "label": label,
        "users": users,
        "world": world,
        "rows": rows,
        "problems": report.failures(rows),
    }


def finish(args: argparse.Namespace, results: list[dict[str, Any]]) -> int:
    """Print the tables, write the results files; return the exit status."""
    note = (
        f"{args.concurrency} connections from one load process, {args.seconds:g} s per page"
        f" after {args.warmup:g} s warm-up; waitress settings of portal.serving for both apps;"
        f" {os.cpu_count()} CPUs shared by servers and load."
    )
    sections = []
    for result in results:
        print()
        print(f"== {result['label']}: {result['world']}")
        print(report.table(result["rows"]))
        sections.append(
            report.markdown(result["label"], f"{result['world']}. {note}", result["rows"])
        )
    if len(results) == 2:
        scaling = report.scaling(results[0]["rows"], results[1]["rows"])
        print()
        print(scaling)
        sections.append(f"## p50, large world over demo world\n\n{scaling}")
    print(f"\n{note}")
    problems = [p for result in results for p in result["problems"]]
    payload = _payload(args, results, problems)
    path = report.write(payload, "\n".join(sections), args.name, args.output)
    print(f"results: {path} and {path.with_suffix('.md')}")
    if problems:
        print(f"\n!!! {len(problems)} FAILURE(S): these numbers are not trustworthy !!!")
        for problem in problems:
            print(f"!!!   {problem}")
        return 1
    return 0


def _payload(
    args: argparse.Namespace, results: list[dict[str, Any]], problems: list[str]
) -> dict[str, Any]:
    """The JSON document: settings, machine, outcome and each world's rows."""
    return {
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "settings": {
            "users": args.users,
            "concurrency": args.concurrency,
            "seconds": args.seconds,
            "warmup": args.warmup,
        },
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "load_average": os.getloadavg(),
        },
        "ok": not problems,
        "problems": problems,
        "worlds": results,
    }


def say(message: str) -> None:
    """Print a progress message to stderr, so stdout holds the report alone."""
    print(message, file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
