"""Counting the SQL statements a request costs (for the "no query per row" tests)."""
from contextlib import contextmanager

from sqlalchemy import event

from qualirepar.extensions import db


@contextmanager
def counted(app):
    """with counted(app) as seen: ...; len(seen) is the number of statements run inside."""
    seen = []
    with app.app_context():
        engine = db.engine
    listener = lambda *args: seen.append(1)  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", listener)
