"""The load: keep-alive HTTP/1.1 connections requesting one page back to back.

:func:`run` sends every scenario to one separate load process, in turn; :func:`drive` runs in
that process, with one thread per connection. The load uses the standard library only, so the
load process starts fast and imports nothing of the portal.
"""

from __future__ import annotations

import http.client
import multiprocessing
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any, NamedTuple

#: Everything is on loopback.
HOST = "127.0.0.1"
#: Seconds a connection waits for the server before giving up on a request.
TIMEOUT = 10.0


@dataclass(frozen=True)
class Scenario:
    """One thing to measure: ``GET path`` on a server, over and over.

    :param name: the label in the report.
    :param port: the server's loopback port.
    :param path: the path and query string requested.
    :param headers: the request headers (``User-Agent``, maybe ``Cookie``).
    :param keitai: whether the page is a keitai page (Shift_JIS, byte budget).
    :param expect: text the page must contain; checked once before the load.
    """

    name: str
    port: int
    path: str
    headers: Mapping[str, str]
    keitai: bool = False
    expect: str = ""


class Response(NamedTuple):
    """A response read in full by :func:`fetch`."""

    status: int
    headers: http.client.HTTPMessage
    body: bytes


def fetch(
    port: int,
    path: str,
    headers: Mapping[str, str] | None = None,
    *,
    method: str = "GET",
    body: str | None = None,
    timeout: float = TIMEOUT,
) -> Response:
    """Make one request on a new connection, for setup and checks (not for the load)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=dict(headers or {}))
        response = conn.getresponse()
        return Response(response.status, response.headers, response.read())
    finally:
        conn.close()


@dataclass
class _Tally:
    """What one connection saw."""

    latencies: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    sizes: set[int] = field(default_factory=set)
    finished: float = 0.0


def drive(scenario: Scenario, concurrency: int, seconds: float, warmup: float) -> dict[str, Any]:
    """Load ``scenario`` from ``concurrency`` keep-alive connections (one thread each).

    Each connection requests the page back to back. Requests started in the first ``warmup``
    seconds are not measured; none starts after ``warmup + seconds``, so the run ends on its
    own, at worst one :data:`TIMEOUT` later.

    :return: ``latencies`` (seconds, one per measured request), ``elapsed`` (seconds from the
        end of the warm-up until the last connection finished), ``errors`` (non-200 statuses
        and connection failures by kind, warm-up included) and ``body_bytes`` (the smallest
        and largest body seen).
    """
    start = time.perf_counter()
    window = (start + warmup, start + warmup + seconds)
    tallies = [_Tally() for _ in range(concurrency)]
    threads = [
        threading.Thread(target=_connection, args=(scenario, window, tally)) for tally in tallies
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    sizes = set().union(*(tally.sizes for tally in tallies))
    return {
        "latencies": [latency for tally in tallies for latency in tally.latencies],
        "elapsed": max(tally.finished for tally in tallies) - window[0],
        "errors": dict(sum((tally.errors for tally in tallies), Counter())),
        "body_bytes": (min(sizes), max(sizes)) if sizes else None,
    }


def _connection(scenario: Scenario, window: tuple[float, float], tally: _Tally) -> None:
    """Request the page on one keep-alive connection until the window closes."""
    measure_from, stop_at = window
    conn = http.client.HTTPConnection(HOST, scenario.port, timeout=TIMEOUT)
    headers = dict(scenario.headers)
    try:
        while (began := time.perf_counter()) < stop_at:
            try:
                conn.request("GET", scenario.path, headers=headers)
                response = conn.getresponse()
                body = response.read()
            except (OSError, http.client.HTTPException) as e:
                tally.errors[type(e).__name__] += 1
                conn.close()  # the next request reconnects
                time.sleep(0.01)
                continue
            if began >= measure_from:
                tally.latencies.append(time.perf_counter() - began)
            if response.status != 200:
                tally.errors[f"HTTP {response.status}"] += 1
            tally.sizes.add(len(body))
    finally:
        conn.close()
        tally.finished = time.perf_counter()


def run(
    scenarios: list[Scenario],
    *,
    concurrency: int,
    seconds: float,
    warmup: float,
    progress: Callable[[str], object] = print,
) -> list[dict[str, Any]]:
    """Drive each scenario in turn from one load process, separate from the caller's.

    :return: one :func:`drive` result per scenario, in order.
    """
    context = multiprocessing.get_context("spawn")
    limit = warmup + seconds + TIMEOUT + 60  # drive() stops itself well before this
    results = []
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        for scenario in scenarios:
            progress(f"  {scenario.name}: {warmup:g} s warm-up + {seconds:g} s")
            future = pool.submit(drive, scenario, concurrency, seconds, warmup)
            results.append(future.result(timeout=limit))
    return results
