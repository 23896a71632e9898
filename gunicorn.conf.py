"""gunicorn's settings, read from the working directory by `gunicorn app:app`.

A sync worker that answers no heartbeat for `timeout` seconds is killed: the longest requests
are the explorer's XLSX export of a whole shop (about 27 s for 100,000 rows on a 2-CPU machine,
bench/export.py) and an audit pack of up to 150 bons to render (about 15 s); bigger packs go to a
worker. Two minutes leaves room on a slower machine.
"""
timeout = 120
graceful_timeout = 30
