"""``make cluster``: start the scale-out site on loopback and keep it up until Ctrl-C."""

from __future__ import annotations

import argparse
import signal
import sys
import time

from . import Cluster, ClusterError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cluster", description=__doc__)
    parser.add_argument("--port", type=int, default=8400, help="nginx's port; the rest follow")
    parser.add_argument("--processes", type=int, default=2, help="waitress processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per process")
    args = parser.parse_args(argv)
    cluster = Cluster(args.port, processes=args.processes, threads=args.threads)
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
    try:
        cluster.start()
    except ClusterError as e:
        print(f"cluster: {e}", file=sys.stderr)
        return 1
    print(f"Serving on http://127.0.0.1:{cluster.nginx_port}/ (nginx) in front of", end=" ")
    print(", ".join(f":{p}" for p in cluster.upstream_ports), "; Redis", cluster.redis_port)
    print(f"mail: an SMTP sink on :{cluster.mail_port}; logs in {cluster.run}; Ctrl-C stops")
    try:
        while all(p.poll() is None for p in cluster.processes.values()):
            time.sleep(1)
        print("cluster: a process stopped; see its log", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        cluster.close()


if __name__ == "__main__":
    sys.exit(main())
