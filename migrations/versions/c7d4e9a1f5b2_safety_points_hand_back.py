"""safety points that block «Réparation terminée»; the signed hand-back

Revision ID: c7d4e9a1f5b2
Revises: e1a5c0d2b7f3
Create Date: 2026-12-06 21:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c7d4e9a1f5b2'
down_revision = 'e1a5c0d2b7f3'
branch_labels = None
depends_on = None

# The default electrical measures (checklists/defaults.py) become safety points in the templates
# already created from them.
SAFETY_LABELS = ("Continuité du conducteur de protection", "Résistance d'isolement", "Courant de fuite")


def upgrade():
    with op.batch_alter_table('control_point', schema=None) as batch_op:
        batch_op.add_column(sa.Column('safety', sa.Boolean(), server_default=sa.false(), nullable=False))
    point = sa.table('control_point', sa.column('safety', sa.Boolean()), sa.column('kind', sa.String()),
                     sa.column('label', sa.String()))
    op.execute(point.update().where(point.c.kind == 'measure', point.c.label.in_(SAFETY_LABELS)).values(safety=True))

    op.create_table('hand_back',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('warning', sa.Text(), nullable=True),
    sa.Column('failures', sa.JSON(), nullable=False),
    sa.Column('signature_id', sa.Integer(), nullable=True),
    sa.Column('payment_id', sa.Integer(), nullable=True),
    sa.Column('handed_by_id', sa.Integer(), nullable=True),
    sa.Column('handed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('shop_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['handed_by_id'], ['user.id'], name=op.f('fk_hand_back_handed_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['order_id'], ['repair_order.id'], name=op.f('fk_hand_back_order_id_repair_order'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['payment_id'], ['payment.id'], name=op.f('fk_hand_back_payment_id_payment'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['shop_id'], ['shop.id'], name=op.f('fk_hand_back_shop_id_shop'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['signature_id'], ['signature.id'], name=op.f('fk_hand_back_signature_id_signature'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hand_back')),
    sa.UniqueConstraint('order_id', name=op.f('uq_hand_back_order_id'))
    )
    with op.batch_alter_table('hand_back', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hand_back_shop_id'), ['shop_id'], unique=False)


def downgrade():
    with op.batch_alter_table('hand_back', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hand_back_shop_id'))
    op.drop_table('hand_back')
    with op.batch_alter_table('control_point', schema=None) as batch_op:
        batch_op.drop_column('safety')
