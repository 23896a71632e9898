"""earlier versions of the shop's documents

Documents replaced before this revision get their earlier files back as versions, from the audit
log: each replacement wrote an "updated" entry with file_id: [old, new] and the dates it changed.
Walking a document's entries from the newest, the dates before each one are known.

Revision ID: dbdb5ecb8939
Revises: b2baaf6b3728
Create Date: 2026-11-30 08:59:06.907297

"""
import datetime as dt

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
    _backfill()


def _day(value):
    return dt.date.fromisoformat(value) if value else None


def _backfill():
    bind = op.get_bind()
    doc = sa.table('shop_document', sa.column('id', sa.Integer), sa.column('shop_id', sa.Integer), sa.column('valid_from', sa.Date),
                   sa.column('expires_on', sa.Date))
    audit = sa.table('audit_entry', sa.column('id', sa.Integer), sa.column('at', sa.DateTime(timezone=True)),
                     sa.column('user_id', sa.Integer), sa.column('entity', sa.String), sa.column('entity_id', sa.Integer),
                     sa.column('action', sa.String), sa.column('changes', sa.JSON))
    stored = sa.table('stored_file', sa.column('id', sa.Integer))
    user = sa.table('user', sa.column('id', sa.Integer))
    version = sa.table('shop_document_version', sa.column('document_id', sa.Integer), sa.column('file_id', sa.Integer),
                       sa.column('valid_from', sa.Date), sa.column('expires_on', sa.Date),
                       sa.column('replaced_at', sa.DateTime(timezone=True)), sa.column('replaced_by_id', sa.Integer),
                       sa.column('shop_id', sa.Integer))
    for doc_id, shop_id, valid_from, expires_on in bind.execute(sa.select(doc.c.id, doc.c.shop_id, doc.c.valid_from, doc.c.expires_on)).all():
        dates = {'valid_from': valid_from, 'expires_on': expires_on}
        entries = bind.execute(sa.select(audit.c.at, audit.c.user_id, audit.c.changes).where(
            audit.c.entity == 'shop_document', audit.c.entity_id == doc_id, audit.c.action == 'updated').order_by(audit.c.id.desc())).all()
        rows = []
        for at, user_id, changes in entries:
            changes = changes or {}
            before = {key: _day(changes[key][0]) if key in changes else value for key, value in dates.items()}
            old_file = (changes.get('file_id') or [None])[0]
            if old_file is not None and bind.execute(sa.select(stored.c.id).where(stored.c.id == old_file)).first():
                known_user = user_id is not None and bind.execute(sa.select(user.c.id).where(user.c.id == user_id)).first()
                rows.append({'document_id': doc_id, 'file_id': old_file, 'valid_from': before['valid_from'],
                             'expires_on': before['expires_on'], 'replaced_at': at, 'replaced_by_id': user_id if known_user else None,
                             'shop_id': shop_id})
            dates = before
        if rows:
            bind.execute(version.insert(), list(reversed(rows)))  # the oldest first, as they were replaced


def downgrade():
    with op.batch_alter_table('shop_document_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shop_document_version_shop_id'))
        batch_op.drop_index(batch_op.f('ix_shop_document_version_document_id'))

    op.drop_table('shop_document_version')
