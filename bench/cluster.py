"""``make bench CLUSTER=1``: the cluster (nginx, PostgreSQL, Redis) with 1 and then 2 waitress
processes, a cookie-less docomo's ``/home`` loaded through nginx; prints requests/s and
latency side by side. Measured, not asserted: on a shared machine the figures move.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys

from cluster import Cluster, ClusterError

from . import load, scenarios


def measure(processes: int, args: argparse.Namespace) -> dict:
    """Start a cluster with ``processes`` waitress processes and load ``/home`` through nginx."""
    with Cluster(args.port, processes=processes, threads=args.threads) as site:
        sid = scenarios.login_docomo(site.nginx_port)
        scenario = load.Scenario(
            name=f"{processes} process(es)",
            port=site.nginx_port,
            path=f"/home?sid={sid}",
            headers={"User-Agent": scenarios.DOCOMO_AGENT},
            keitai=True,
        )
        result = load.drive(scenario, args.concurrency, args.seconds, args.warmup)
    latencies = sorted(result["latencies"])
    count = len(latencies)
    return {
        "processes": processes,
        "requests": count,
        "rps": count / result["elapsed"] if result["elapsed"] else 0.0,
        "p50": statistics.median(latencies) * 1000 if latencies else None,
        "p99": latencies[int(count * 0.99) - 1] * 1000 if latencies else None,
        "errors": result["errors"],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.cluster", description=__doc__)
    parser.add_argument(
        "--port",
        type=int,
        default=int(os.environ.get("CLUSTER_PORT", "8460")),
        help="nginx's port; the rest follow (default: CLUSTER_PORT, else 8460)",
    )
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=1.0)
    parser.add_argument("--threads", type=int, default=4, help="waitress threads per process")
    args = parser.parse_args(argv)
    rows = []
    try:
        for processes in (1, 2):
            print(f"measuring {processes} process(es)...", file=sys.stderr)
            rows.append(measure(processes, args))
    except (ClusterError, scenarios.LoginError) as e:
        print(f"bench: {e}", file=sys.stderr)
        return 2
    print(f"/home as a cookie-less docomo through nginx, {args.concurrency} connections")
    print("| processes | requests/s | p50 ms | p99 ms | errors |")
    print("|---|---|---|---|---|")
    for row in rows:
        print(
            f"| {row['processes']} | {row['rps']:.1f} | {row['p50']:.1f} | {row['p99']:.1f} |"
            f" {row['errors'] or 'none'} |"
        )
    if rows[0]["rps"]:
        print(f"2 processes / 1 process: {rows[1]['rps'] / rows[0]['rps']:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
