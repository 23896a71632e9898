"""business customers: kind, company, SIREN, SIRET, VAT number, billing address; the order's PO reference

Revision ID: b5c1e2a7d9f3
Revises: 7a3c9e41d2b5
Create Date: 2026-12-06 21:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b5c1e2a7d9f3'
down_revision = '7a3c9e41d2b5'
branch_labels = None
depends_on = None


def upgrade():
    # Every customer recorded before is a private person (server default).
    with op.batch_alter_table('customer', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=10), server_default='private', nullable=False))
        batch_op.add_column(sa.Column('company', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('siren', sa.String(length=9), nullable=True))
        batch_op.add_column(sa.Column('siret', sa.String(length=14), nullable=True))
        batch_op.add_column(sa.Column('vat_number', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('billing_street', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('billing_postcode', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('billing_city', sa.String(length=100), nullable=True))
    with op.batch_alter_table('repair_order', schema=None) as batch_op:
        batch_op.add_column(sa.Column('po_reference', sa.String(length=100), nullable=True))


def downgrade():
    with op.batch_alter_table('repair_order', schema=None) as batch_op:
        batch_op.drop_column('po_reference')
    with op.batch_alter_table('customer', schema=None) as batch_op:
        for name in ('billing_city', 'billing_postcode', 'billing_street', 'vat_number', 'siret', 'siren', 'company', 'kind'):
            batch_op.drop_column(name)
