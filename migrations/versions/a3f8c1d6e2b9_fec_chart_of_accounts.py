"""fec chart of accounts: the account number and name the owner gives each role of the FEC

Issue 19 (FEC, LPF art. A47 A-1). One row per role the owner changed; the others keep the PCG
defaults of qualirepar.fec.accounts.

Revision ID: a3f8c1d6e2b9
Revises: f19a0c3e5d21
Create Date: 2026-12-06 21:40:00.000000

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = 'a3f8c1d6e2b9'
down_revision = 'f19a0c3e5d21'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'fec_account',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=30), nullable=False),
        sa.Column('number', sa.String(length=20), nullable=False),
        sa.Column('label', sa.String(length=100), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('shop_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['shop_id'], ['shop.id'], name=op.f('fk_fec_account_shop_id_shop'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_fec_account')),
        sa.UniqueConstraint('shop_id', 'key', name=op.f('uq_fec_account_shop_id_key')),
    )
    with op.batch_alter_table('fec_account', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fec_account_shop_id'), ['shop_id'], unique=False)


def downgrade():
    with op.batch_alter_table('fec_account', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fec_account_shop_id'))
    op.drop_table('fec_account')
