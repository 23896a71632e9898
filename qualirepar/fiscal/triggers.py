"""The database refuses UPDATE and DELETE of the insert-only tables (BOI-TVA-DECLA-30-10-30 II,
inaltérabilité): a trigger per table and statement on PostgreSQL (one shared function) and on SQLite.
The migrations create them; the test fixtures drop and recreate them around emptying the tables.
TRUNCATE (PostgreSQL) fires no row trigger: it needs the table owner's rights, which the app's role
should not hold in production (docs/conformite-caisse.md)."""
from __future__ import annotations

#: the tables whose rows are never changed nor removed once written; other features add theirs
IMMUTABLE_TABLES: list[str] = ["invoice", "invoice_line", "payment", "fiscal_entry", "deposit", "fiscal_closing", "fiscal_archive"]

MESSAGE = "enregistrement fiscal inaltérable : ni modification ni suppression (faites un avoir ou une annulation)"
FUNCTION = "qualirepar_fiscal_immutable"


def create_sql(dialect: str, table: str) -> list[str]:
    """The statements that make `table` insert-only."""
    if dialect == "postgresql":
        return [f"CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger AS $$ BEGIN "
                f"RAISE EXCEPTION '%: {MESSAGE}', TG_TABLE_NAME; END $$ LANGUAGE plpgsql",
                f"CREATE TRIGGER {table}_insert_only BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION {FUNCTION}()"]
    return [f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table}: {MESSAGE}'); END" for verb in ("UPDATE", "DELETE")]


def drop_sql(dialect: str, table: str) -> list[str]:
    if dialect == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {table}_insert_only ON {table}"]
    return [f"DROP TRIGGER IF EXISTS {table}_no_{verb}" for verb in ("update", "delete")]
