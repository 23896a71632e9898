"""Busy pages served again from Redis while nothing they show has changed.

Every commit that writes a shop's rows bumps that shop's version in Redis (`after_flush` notes the
shops of the rows written, ORM DML statements included; `after_commit` bumps them), and a write
to the shared catalog bumps a global version. A page marked `@cached_page` is stored under a key
made of both versions, the user (id, role, language), the session's CSRF secret (the forms on the
page carry its tokens), the day in Paris (what "today" and ages depend on), htmx or not, and the
full URL. So a cached page is only ever served to the same session, for the same request, while
no row of the shop has been written since it was rendered: the figures are exact, never "up to a
few minutes old". Pages with a flash message to show are neither served from nor put in the cache.

The key also holds the Redis server's run id: restarted from an older snapshot, Redis would bring
back older versions and the pages cached under them. Writes that do not go through the ORM session (raw SQL, another program on the database) do not
bump the versions; nothing in the app writes shop data that way (bench/seed.py does, before any
page is served). If Redis fails, pages are rendered as if there were no cache.
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import logging
import time
from zoneinfo import ZoneInfo

from flask import current_app, make_response, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session

from .i18n import select_locale
from .redis_conn import get_redis
from .shops.models import Shop
from .tenancy import TenantScoped, current_shop_id

log = logging.getLogger(__name__)
PARIS = ZoneInfo("Europe/Paris")
GLOBAL = "global"
TTL = 600  # seconds a cached page is kept (a page not asked again leaves Redis)
_PENDING = "pagecache_dirty"


def _redis():
    return get_redis()


def _mark(session: Session, key) -> None:
    session.info.setdefault(_PENDING, set()).add(key)


@event.listens_for(Session, "after_flush")
def _note_written_shops(session: Session, flush_context) -> None:
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, TenantScoped):
            _mark(session, obj.shop_id)
        elif isinstance(obj, Shop):
            _mark(session, obj.id)
        elif type(obj).__module__.endswith("catalog.models"):
            _mark(session, GLOBAL)


@event.listens_for(Session, "do_orm_execute")
def _note_dml(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        shop_id = current_shop_id()
        _mark(state.session, shop_id if shop_id is not None else GLOBAL)


@event.listens_for(Session, "after_commit")
def _bump(session: Session) -> None:
    dirty = session.info.pop(_PENDING, None)
    if not dirty:
        return
    try:
        pipe = _redis().pipeline(transaction=False)
        for key in dirty:
            pipe.incr(f"pagever:{key}")
        pipe.execute()
    except Exception:  # noqa: BLE001 - a cache that cannot be invalidated must not be read: see _versions
        log.exception("page cache: versions not bumped")
        _broken()


@event.listens_for(Session, "after_soft_rollback")
def _forget(session: Session, previous_transaction) -> None:
    """The whole transaction rolled back: nothing was written. A savepoint rolled back (a number
    taken twice) keeps the marks: the rest of the transaction may still commit."""
    if previous_transaction.parent is None and not previous_transaction.nested:
        session.info.pop(_PENDING, None)


def _broken() -> None:
    """After a failed bump, stop serving cached pages until Redis answers again and a version moves."""
    try:
        _redis().incr(f"pagever:{GLOBAL}")
    except Exception:  # noqa: BLE001
        pass


_epoch: list = ["", 0.0]  # the Redis server's run id, and when it was asked
EPOCH_SECONDS = 5


def _redis_epoch() -> str:
    """The run id of the Redis server, which changes when it restarts: a server restarted from an
    older snapshot would bring back older versions and the pages cached under them, and the run id
    in the key leaves those behind. Asked again every few seconds."""
    now = time.monotonic()
    if now - _epoch[1] > EPOCH_SECONDS:
        _epoch[:] = [str(_redis().info("server").get("run_id", "")), now]
    return _epoch[0]


def _key() -> str | None:
    if session.get("_flashes") or not current_user.is_authenticated:
        return None
    shop_id = current_shop_id()
    if shop_id is None:
        return None

    generate_csrf()  # the page's forms would create the session's CSRF secret: create it before keying on it
    shop_ver, global_ver = _redis().mget(f"pagever:{shop_id}", f"pagever:{GLOBAL}")

    parts = [_redis_epoch(), str(shop_id), (shop_ver or b"0").decode(), (global_ver or b"0").decode(), str(current_user.id), current_user.role,
             str(select_locale()), hashlib.sha256(str(session.get("csrf_token", "")).encode()).hexdigest()[:16],
             dt.datetime.now(PARIS).date().isoformat(), "htmx" if request.headers.get("HX-Request") else "page", request.full_path]
    return "page:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def cached_page(view):
    """Serve the view's 200 HTML answer from Redis while the shop's data has not changed."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if not current_app.config.get("PAGE_CACHE", True):
            return view(*args, **kwargs)
        try:
            key = _key()
            cached = _redis().get(key) if key else None
        except Exception:  # noqa: BLE001 - no cache, the page is rendered
            log.exception("page cache unavailable")
            key, cached = None, None
        if cached is not None:
            resp = make_response(cached)
            resp.headers["Content-Type"] = "text/html; charset=utf-8"
            resp.headers["Vary"] = "HX-Request"
            resp.headers["X-Page-Cache"] = "hit"
            return resp
        resp = make_response(view(*args, **kwargs))
        if key and resp.status_code == 200 and resp.mimetype == "text/html" and not session.get("_flashes"):
            try:
                _redis().set(key, resp.get_data(), ex=TTL)
            except Exception:  # noqa: BLE001
                log.exception("page cache: page not stored")
        return resp

    return wrapper
