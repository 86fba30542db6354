"""Benchmark harness for keitai-portal: ``python -m bench`` (``make bench``).

One run builds a throw-away SQLite demo world, serves the portal and a bare Flask app on
waitress, drives both from a separate load process and prints requests per second and latency
per scenario, next to the bare app's. The modules:

* :mod:`bench.servers`: the demo world and the waitress subprocesses;
* :mod:`bench.hello`: the bare Flask app that serves as the baseline;
* :mod:`bench.scenarios`: what is measured, and logging in from a PC and a docomo phone;
* :mod:`bench.load`: the load process (keep-alive ``http.client`` connections);
* :mod:`bench.report`: the table and ``bench/results/latest.json``.
"""
