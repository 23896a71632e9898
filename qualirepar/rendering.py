"""One way to answer: a full page, or the fragment htmx asked for."""
from __future__ import annotations

from flask import make_response, redirect as flask_redirect, render_template, request, url_for


def is_htmx() -> bool:
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-Boosted") != "true"


def render(page: str, fragment: str | None = None, status: int = 200, **context):
    """Render `page` (extends base.html), or `fragment` alone for an htmx request."""
    template = fragment if fragment and is_htmx() else page
    resp = make_response(render_template(template, **context), status)
    resp.headers.add("Vary", "HX-Request")
    return resp


def redirect_to(endpoint: str, **values):
    """Post/redirect/get that also works for htmx (HX-Redirect instead of a 302 it would follow)."""
    target = url_for(endpoint, **values)
    if is_htmx():
        resp = make_response("", 204)
        resp.headers["HX-Redirect"] = target
        return resp
    return flask_redirect(target, code=303)


def pdf_response(pdf: bytes, filename: str, download: bool = False):
    """A PDF to open in the browser (to print) or, with `download`, to save; never cached by a proxy."""
    resp = make_response(pdf)
    resp.headers["Content-Type"] = "application/pdf"
    resp.headers["Content-Disposition"] = f'{"attachment" if download else "inline"}; filename="{filename}"'
    resp.headers["Cache-Control"] = "private, no-store"
    return resp
