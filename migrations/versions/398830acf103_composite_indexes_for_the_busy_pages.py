"""composite indexes for the busy pages: the shop's claims, invoices, orders and events by the
column each page filters or sorts on (bench/load.py, bench/README.md)

Revision ID: 398830acf103
Revises: 5f628313c5ae
Create Date: 2026-11-30 07:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '398830acf103'
down_revision = '5f628313c5ae'
branch_labels = None
depends_on = None

INDEXES = [
    ('claim', 'ix_claim_shop_id_id', ['shop_id', 'id']),
    ('claim', 'ix_claim_shop_id_status', ['shop_id', 'status']),
    ('claim', 'ix_claim_shop_id_paid_on', ['shop_id', 'paid_on']),
    ('claim_event', 'ix_claim_event_shop_id_status_after', ['shop_id', 'status_after']),
    ('invoice', 'ix_invoice_shop_id_issued_on', ['shop_id', 'issued_on']),
    ('repair_order', 'ix_repair_order_shop_id_intake_on', ['shop_id', 'intake_on', 'site_id', 'technician_id']),
    ('repair_order', 'ix_repair_order_shop_id_status', ['shop_id', 'status']),
]


def upgrade():
    # A plain CREATE INDEX on both databases (no table copy needed on SQLite); at 100,000 orders
    # each takes well under a second, during which PostgreSQL holds writes to its table.
    for table, name, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade():
    for table, name, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
