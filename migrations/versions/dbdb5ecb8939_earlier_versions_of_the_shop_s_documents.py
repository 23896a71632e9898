"""earlier versions of the shop's documents

Revision ID: dbdb5ecb8939
Revises: b2baaf6b3728
Create Date: 2026-11-30 08:59:06.907297

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'dbdb5ecb8939'
down_revision = 'b2baaf6b3728'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('shop_document_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=True),
    sa.Column('expires_on', sa.Date(), nullable=True),
    sa.Column('replaced_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('replaced_by_id', sa.Integer(), nullable=True),
    sa.Column('shop_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['shop_document.id'], name=op.f('fk_shop_document_version_document_id_shop_document'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['file_id'], ['stored_file.id'], name=op.f('fk_shop_document_version_file_id_stored_file')),
    sa.ForeignKeyConstraint(['replaced_by_id'], ['user.id'], name=op.f('fk_shop_document_version_replaced_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['shop_id'], ['shop.id'], name=op.f('fk_shop_document_version_shop_id_shop'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shop_document_version'))
    )
    with op.batch_alter_table('shop_document_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shop_document_version_document_id'), ['document_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_shop_document_version_shop_id'), ['shop_id'], unique=False)


def downgrade():
    with op.batch_alter_table('shop_document_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shop_document_version_shop_id'))
        batch_op.drop_index(batch_op.f('ix_shop_document_version_document_id'))

    op.drop_table('shop_document_version')
