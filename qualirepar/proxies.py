"""The client's address and scheme behind a reverse proxy (issue 17): X-Forwarded-For / -Proto /
-Host are trusted from exactly TRUSTED_PROXY_COUNT proxies (0, the default: none, so a header a
client forges changes nothing), so login limits count the real client and HTTPS redirects and
secure cookies are right behind the shop's or the host's proxy (deploy/ sets it to 1)."""
from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix


def init_app(app: Flask) -> None:
    count = int(app.config.get("TRUSTED_PROXY_COUNT") or 0)
    if count > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)
