"""e-invoicing settings per shop

One row per shop: option for VAT on debits, VAT regime (sets the e-reporting periods), the
plateforme agréée provider.

Revision ID: e1a5c0d2b7f3
Revises: b5c1e2a7d9f3
Create Date: 2026-12-06 21:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e1a5c0d2b7f3'
down_revision = 'b5c1e2a7d9f3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'einvoice_settings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('option_debits', sa.Boolean(), nullable=False),
        sa.Column('vat_regime', sa.String(length=20), nullable=False),
        sa.Column('pa_provider', sa.String(length=20), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('shop_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['shop_id'], ['shop.id'], name=op.f('fk_einvoice_settings_shop_id_shop'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_einvoice_settings')),
        sa.UniqueConstraint('shop_id', name=op.f('uq_einvoice_settings_shop_id')),
    )
    with op.batch_alter_table('einvoice_settings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_einvoice_settings_shop_id'), ['shop_id'], unique=False)


def downgrade():
    with op.batch_alter_table('einvoice_settings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_einvoice_settings_shop_id'))
    op.drop_table('einvoice_settings')
