"""returns set aside keep the repair they were linked to

Revision ID: b2baaf6b3728
Revises: 54b7e33a5e51
Create Date: 2026-11-30 08:56:44.860074

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b2baaf6b3728'
down_revision = '54b7e33a5e51'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('repair_order', schema=None) as batch_op:
        batch_op.add_column(sa.Column('warranty_unlinked_from_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_repair_order_warranty_unlinked_from_id'), ['warranty_unlinked_from_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_repair_order_warranty_unlinked_from_id_repair_order'), 'repair_order', ['warranty_unlinked_from_id'], ['id'])


def downgrade():
    with op.batch_alter_table('repair_order', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_repair_order_warranty_unlinked_from_id_repair_order'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_repair_order_warranty_unlinked_from_id'))
        batch_op.drop_column('warranty_unlinked_from_id')
