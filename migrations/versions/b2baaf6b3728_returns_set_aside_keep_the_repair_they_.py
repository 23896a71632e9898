"""returns set aside keep the repair they were linked to

Orders set aside before this revision get it back from the audit log: unlinking wrote an "updated"
entry whose changes hold warranty_of_id: [the repair, None].

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
    _backfill()


def _backfill():
    bind = op.get_bind()
    order = sa.table('repair_order', sa.column('id', sa.Integer), sa.column('warranty_of_id', sa.Integer),
                     sa.column('warranty_unlinked_reason', sa.Text), sa.column('warranty_unlinked_from_id', sa.Integer))
    audit = sa.table('audit_entry', sa.column('id', sa.Integer), sa.column('entity', sa.String), sa.column('entity_id', sa.Integer),
                     sa.column('action', sa.String), sa.column('changes', sa.JSON))
    set_aside = bind.execute(sa.select(order.c.id).where(order.c.warranty_of_id.is_(None),
                                                         order.c.warranty_unlinked_reason.is_not(None))).scalars().all()
    for order_id in set_aside:
        entries = bind.execute(sa.select(audit.c.changes).where(audit.c.entity == 'repair_order', audit.c.entity_id == order_id,
                                                                audit.c.action == 'updated').order_by(audit.c.id.desc())).scalars()
        for changes in entries:
            link = (changes or {}).get('warranty_of_id')
            if link and link[0] is not None and link[1] is None:
                if bind.execute(sa.select(order.c.id).where(order.c.id == link[0])).first():
                    bind.execute(order.update().where(order.c.id == order_id).values(warranty_unlinked_from_id=link[0]))
                break


def downgrade():
    with op.batch_alter_table('repair_order', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_repair_order_warranty_unlinked_from_id_repair_order'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_repair_order_warranty_unlinked_from_id'))
        batch_op.drop_column('warranty_unlinked_from_id')
