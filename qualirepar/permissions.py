"""Who may call which endpoint: declared on each view, enforced in one place.

`@allow("owner", "support")` or `@public` marks a view. A `before_request` hook checks every request
against the mark; an endpoint without one is refused (deny by default), and a test walks the URL
map to make sure none is left without a mark.
"""
from __future__ import annotations

from typing import Callable

from flask import Flask, abort, current_app, request
from flask_login import current_user

from .extensions import login_manager

ANY_ROLE = ("owner", "technician", "support")
PUBLIC = frozenset({"*public*"})


def allow(*roles: str) -> Callable:
    unknown = set(roles) - set(ANY_ROLE)
    if unknown or not roles:
        raise ValueError(f"unknown roles: {unknown or 'none given'}")

    def mark(view):
        view.allowed_roles = frozenset(roles)
        return view

    return mark


def public(view):
    view.allowed_roles = PUBLIC
    return view


def roles_for(endpoint: str) -> frozenset | None:
    view = current_app.view_functions.get(endpoint)
    return getattr(view, "allowed_roles", None)


def _check():
    endpoint = request.endpoint
    if endpoint is None or endpoint == "static":
        return None  # unknown URL: the 404 handler answers
    roles = roles_for(endpoint)
    if roles is None:
        current_app.logger.error("endpoint %s has no permission mark: refused", endpoint)
        abort(403)
    if roles is PUBLIC:
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if current_user.role not in roles:
        abort(403)
    return None


def init_app(app: Flask) -> None:
    app.before_request(_check)
