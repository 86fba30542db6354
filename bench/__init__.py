"""Benchmark harness for keitai-portal: ``python -m bench`` (``make bench``).

One run builds a throw-away SQLite demo world, serves the portal and a bare Flask app on
waitress, drives both from a separate load process and prints requests per second and latency
per scenario, next to the bare app's. The modules:

* :mod:`bench.servers`: the worlds (demo, kept large ones) and the server subprocesses;
* :mod:`bench.serve`: a server process (the portal settings of waitress, SQL counted);
* :mod:`bench.crowd`: ``make load``, 200 clients reading and writing for 60 s;
* :mod:`bench.hello`: the bare Flask app that serves as the baseline;
* :mod:`bench.scenarios`: what is measured, and logging in from a PC and a docomo phone;
* :mod:`bench.load`: the load process (keep-alive ``http.client`` connections);
* :mod:`bench.report`: the tables and ``bench/results/<name>.json`` and ``.md``.
"""
