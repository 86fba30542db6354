"""Measure keitai-portal against a bare Flask app, both served by waitress.

Builds a fresh SQLite demo world in a temporary folder, starts both servers on loopback,
logs the demo member in from a PC and from a cookie-less docomo phone, then loads each
scenario from a separate process and prints requests/s and latency next to the bare app's.
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
from .servers import Server, build_world, world_env


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--users", type=int, default=None, help="seed a large world (default: the demo world)"
    )
    parser.add_argument(
        "--concurrency", type=int, default=4, help="keep-alive connections (default: 4)"
    )
    parser.add_argument(
        "--seconds", type=float, default=5.0, help="measured seconds per scenario (default: 5)"
    )
    parser.add_argument(
        "--warmup", type=float, default=0.5, help="warm-up seconds per scenario (default: 0.5)"
    )
    parser.add_argument(
        "--threads", type=int, default=4, help="waitress threads, both servers (default: 4)"
    )
    parser.add_argument("--output", type=Path, default=report.RESULTS, help="JSON results file")
    args = parser.parse_args(argv)
    if args.concurrency < 1 or args.threads < 1 or args.seconds <= 0 or args.warmup < 0:
        parser.error("--concurrency and --threads must be >= 1, --seconds > 0, --warmup >= 0")
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the whole benchmark; return the exit status."""
    args = parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="keitai-bench-"))
    try:
        return bench(args, folder)
    except RuntimeError as e:
        print(f"bench: {e}", file=sys.stderr)
        return 2
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def bench(args: argparse.Namespace, folder: Path) -> int:
    """Build the world in ``folder``, serve, load, report; return the exit status."""
    env = world_env(folder)
    say(f"building the {'demo' if args.users is None else f'{args.users}-member'} world")
    world = build_world(env, args.users)
    say(f"  {world}")
    with contextlib.ExitStack() as stack:
        hello = stack.enter_context(
            Server("bare flask", "bench.hello:app", env, args.threads, folder / "hello.log")
        )
        portal = stack.enter_context(
            Server("portal", "wsgi:app", env, args.threads, folder / "portal.log")
        )
        say(f"serving: bare flask on :{hello.port}, portal on :{portal.port}")
        measured = scenarios.build(hello.port, portal.port)
        checks = [scenarios.check(scenario) for scenario in measured]
        say(f"loading ({args.concurrency} connections, waitress {args.threads} threads)")
        runs = load.run(
            measured,
            concurrency=args.concurrency,
            seconds=args.seconds,
            warmup=args.warmup,
            progress=say,
        )
    rows = report.summarize(measured, checks, runs)
    problems = report.failures(rows)
    print()
    print(report.table(rows))
    print()
    print(
        f"{world}; {args.concurrency} connections from one load process, waitress"
        f" {args.threads} threads; {os.cpu_count()} CPUs shared by servers and load."
    )
    path = report.write_json(_payload(args, world, rows, problems), args.output)
    print(f"results: {path}")
    if problems:
        print(f"\n!!! {len(problems)} FAILURE(S): these numbers are not trustworthy !!!")
        for problem in problems:
            print(f"!!!   {problem}")
        return 1
    return 0


def _payload(
    args: argparse.Namespace, world: str, rows: list[dict[str, Any]], problems: list[str]
) -> dict[str, Any]:
    """The JSON document: settings, machine, world, outcome and one row per scenario."""
    return {
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "settings": {
            "users": args.users,
            "concurrency": args.concurrency,
            "seconds": args.seconds,
            "warmup": args.warmup,
            "waitress_threads": args.threads,
        },
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
        },
        "world": world,
        "ok": not problems,
        "problems": problems,
        "scenarios": rows,
    }


def say(message: str) -> None:
    """Print a progress message to stderr, so stdout holds the report alone."""
    print(message, file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
