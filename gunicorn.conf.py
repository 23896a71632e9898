"""gunicorn's settings, read from the working directory by `gunicorn app:app` (and `make run`).

Sized for a shop's counter PC of two cores: two sync workers (bench/load.py measured sync workers
best on 2 CPUs, ahead of threads); `WEB_CONCURRENCY` sets another count on a bigger host.

A sync worker that answers no heartbeat for `timeout` seconds is killed: the longest requests
are the explorer's XLSX export of a whole shop (about 27 s for 100,000 rows on a 2-CPU machine,
bench/export.py) and an audit pack of up to 150 bons to render (about 15 s); bigger packs go to a
worker. Two minutes leaves room on a slower machine. A graceful restart (`kill -HUP` of the
master) lets each worker finish its request within `graceful_timeout`; a worker is replaced after
`max_requests` requests (with jitter, so that both are not replaced at once), which bounds what a
slow leak can take.
"""
import os

workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
timeout = 120
graceful_timeout = 30
keepalive = 5
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
