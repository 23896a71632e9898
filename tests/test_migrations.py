"""The models and the migrations describe the same schema."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from qualirepar.extensions import db


def test_autogenerate_finds_nothing_to_do(app):
    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, db.metadata) == []
