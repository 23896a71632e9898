"""One way to answer: a full page, or the fragment htmx asked for; a redirect that htmx follows; a
refusal answered in one place.

A view calls a service and picks a template. When the service refuses (a `core.refusal.Refusal`),
the view does not catch it: it says, with `refusals(...)`, which page a plain form post goes back
to (or which fragment htmx gets), and `answer_refusal` (registered by `errors.init_app`) answers it,
the transaction rolled back first.
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Callable, Iterable

from flask import flash, jsonify, make_response, redirect as flask_redirect, render_template, request, url_for

from .core.refusal import Refusal
from .events import EVENTS
from .extensions import db

Trigger = str | Iterable[str] | None


def is_htmx() -> bool:
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-Boosted") != "true"


def _trigger(resp, trigger: Trigger):
    """Announce the `HX-Trigger` events (named in `events.EVENTS`) that other regions listen to."""
    names = [trigger] if isinstance(trigger, str) else list(trigger or ())
    unknown = [n for n in names if n not in EVENTS]
    if unknown:
        raise ValueError(f"HX-Trigger events must be named in qualirepar/events.py: {unknown}")
    if names:
        resp.headers["HX-Trigger"] = ", ".join(names)
    return resp


def render(page: str, fragment: str | None = None, status: int = 200, trigger: Trigger = None,
           page_context: Callable[[], dict] | None = None, **context):
    """Render `page` (extends base.html), or `fragment` alone for an htmx request; `trigger` names
    the events the answer sends to other regions; `page_context` makes what only the whole page
    shows (the form around the fragment), not computed when htmx asks for the fragment."""
    partial = bool(fragment) and is_htmx()
    if page_context is not None and not partial:
        context.update(page_context())
    resp = make_response(render_template(fragment if partial else page, **context), status)
    resp.headers.add("Vary", "HX-Request")
    return _trigger(resp, trigger)


def fragment_or_json(fragment: Callable, data: Callable[[], dict], status: int = 200):
    """An address that htmx and scripts (the offline queue) both call: htmx gets `fragment()` (a
    response or text), a script `data()` as JSON."""
    resp = make_response(fragment() if is_htmx() else jsonify(data()), status)
    resp.vary.add("HX-Request")
    return resp


def redirect_to(endpoint: str, *, htmx: Callable | None = None, message: str | None = None, category: str = "success",
                trigger: Trigger = None, **values):
    """Post/redirect/get that also works for htmx (HX-Redirect instead of a 302 it would follow).

    `message` is flashed for the page redirected to; with `htmx` (a callable answering the fragment,
    which shows the message itself) an htmx request gets that fragment in place of the redirect."""
    if is_htmx() and htmx is not None:
        return _trigger(htmx(), trigger)
    if message is not None:
        flash(message, category)
    return _trigger(_redirect(url_for(endpoint, **values)), trigger)


def _redirect(target: str):
    if is_htmx():
        resp = make_response("", 204)
        resp.headers["HX-Redirect"] = target
        return resp
    return flask_redirect(target, code=303)


@contextmanager
def refusals(endpoint: str | None = None, /, *, fragment: Callable | None = None, **values):
    """Around a service call: a Refusal raised inside goes back to `endpoint` (with `values`; the
    referrer if no endpoint is named), or for htmx gets `fragment(exc)` (a response, status 422)."""
    try:
        yield
    except Refusal as exc:
        exc.back_to = url_for(endpoint, **values) if endpoint else None
        exc.fragment = fragment
        raise


def answer_refusal(exc: Refusal):
    """The one answer to a refusal: the transaction rolled back; a plain post gets the message
    (flash, danger) and a 303 back to its page; htmx gets its fragment with 422, or the message in
    the flashes region."""
    db.session.rollback()
    fragment = getattr(exc, "fragment", None)
    if is_htmx():
        if fragment is not None:
            return fragment(exc)
        resp = make_response(render_template("errors/_refusal.html", message=str(exc)), 422)
        resp.headers["HX-Retarget"], resp.headers["HX-Reswap"] = "#flashes", "innerHTML"
        return resp
    flash(str(exc), "danger")
    target = getattr(exc, "back_to", None) or (url_for(exc.endpoint) if exc.endpoint else None) or request.referrer or "/"
    return _redirect(target)


def pdf_response(pdf: bytes, filename: str, download: bool = False):
    """A PDF to open in the browser (to print) or, with `download`, to save; never cached by a proxy."""
    resp = make_response(pdf)
    resp.headers["Content-Type"] = "application/pdf"
    resp.headers["Content-Disposition"] = f'{"attachment" if download else "inline"}; filename="{filename}"'
    resp.headers["Cache-Control"] = "private, no-store"
    return resp
