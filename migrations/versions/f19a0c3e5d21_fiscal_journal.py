"""fiscal journal: signed chain per shop, insert-only invoices, lines, payments and entries

Issue 19. The chain head (fiscal_chain), its entries (fiscal_entry) and the verifications
(fiscal_check); a payment may reverse another (reverses_id, reason). UPDATE and DELETE of invoice,
invoice_line, payment and fiscal_entry are refused by triggers on both dialects (the UPDATE-only
triggers of b620a34e97a3 on invoice and invoice_line are replaced).

Revision ID: f19a0c3e5d21
Revises: c7d4e9a1f5b2
Create Date: 2026-12-06 21:30:00.000000

"""
from alembic import op
import sqlalchemy as sa

from qualirepar.fiscal.triggers import create_sql, drop_sql

# revision identifiers, used by Alembic.
revision = 'f19a0c3e5d21'
down_revision = 'c7d4e9a1f5b2'
branch_labels = None
depends_on = None

# this revision's tables, written out: a later change of triggers.IMMUTABLE_TABLES is another migration's
TABLES = ("invoice", "invoice_line", "payment", "fiscal_entry")


def upgrade():
    op.create_table(
        'fiscal_chain',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('last_seq', sa.Integer(), nullable=False),
        sa.Column('last_hash', sa.String(length=64), nullable=True),
        sa.Column('last_recorded_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('totals', sa.JSON(), nullable=False),
        sa.Column('closed_until', sa.Date(), nullable=True),
        sa.Column('software_version', sa.String(length=40), nullable=True),
        sa.Column('public_key_pem', sa.Text(), nullable=False),
        sa.Column('private_key_enc', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('shop_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['shop_id'], ['shop.id'], name=op.f('fk_fiscal_chain_shop_id_shop'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_fiscal_chain')),
        sa.UniqueConstraint('shop_id', name=op.f('uq_fiscal_chain_shop_id')),
    )
    with op.batch_alter_table('fiscal_chain', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fiscal_chain_shop_id'), ['shop_id'], unique=False)
    op.create_table(
        'fiscal_entry',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('occurred_on', sa.Date(), nullable=False),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('record_table', sa.String(length=40), nullable=True),
        sa.Column('record_id', sa.Integer(), nullable=True),
        sa.Column('payload', sa.JSON(), nullable=False),
        sa.Column('amounts', sa.JSON(), nullable=False),
        sa.Column('totals', sa.JSON(), nullable=False),
        sa.Column('closes_until', sa.Date(), nullable=True),
        sa.Column('prev_hash', sa.String(length=64), nullable=False),
        sa.Column('hash', sa.String(length=64), nullable=False),
        sa.Column('signature', sa.String(length=100), nullable=False),
        sa.Column('shop_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['shop_id'], ['shop.id'], name=op.f('fk_fiscal_entry_shop_id_shop'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_fiscal_entry')),
        sa.UniqueConstraint('shop_id', 'seq', name=op.f('uq_fiscal_entry_shop_id_seq')),
    )
    with op.batch_alter_table('fiscal_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fiscal_entry_shop_id'), ['shop_id'], unique=False)
        batch_op.create_index('ix_fiscal_entry_record', ['record_table', 'record_id'], unique=False)
    op.create_table(
        'fiscal_check',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('checked_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('entries', sa.Integer(), nullable=False),
        sa.Column('broken_seq', sa.Integer(), nullable=True),
        sa.Column('message', sa.Text(), nullable=True),
        sa.Column('seconds', sa.String(length=12), nullable=True),
        sa.Column('shop_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['shop_id'], ['shop.id'], name=op.f('fk_fiscal_check_shop_id_shop'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_fiscal_check')),
    )
    with op.batch_alter_table('fiscal_check', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fiscal_check_shop_id'), ['shop_id'], unique=False)
    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reverses_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('reason', sa.Text(), nullable=True))
        batch_op.create_index(batch_op.f('ix_payment_reverses_id'), ['reverses_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_payment_reverses_id_payment'), 'payment', ['reverses_id'], ['id'])
    dialect = op.get_bind().dialect.name
    for table in ("invoice", "invoice_line"):  # b620a34e97a3's UPDATE-only triggers
        op.execute(f"DROP TRIGGER IF EXISTS {table}_immutable" + (f" ON {table}" if dialect == "postgresql" else ""))
    if dialect == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS qualirepar_invoice_immutable()")
    for table in TABLES:
        for statement in create_sql(dialect, table):
            op.execute(statement)


def downgrade():
    dialect = op.get_bind().dialect.name
    for table in TABLES:
        for statement in drop_sql(dialect, table):
            op.execute(statement)
    if dialect == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS qualirepar_fiscal_immutable()")
        op.execute("CREATE FUNCTION qualirepar_invoice_immutable() RETURNS trigger AS $$ BEGIN "
                   "RAISE EXCEPTION 'facture émise : non modifiable (faites un avoir)'; END $$ LANGUAGE plpgsql")
    for table in ("invoice", "invoice_line"):
        if dialect == "postgresql":
            op.execute(f"CREATE TRIGGER {table}_immutable BEFORE UPDATE ON {table} "
                       "FOR EACH ROW EXECUTE FUNCTION qualirepar_invoice_immutable()")
        else:
            op.execute(f"CREATE TRIGGER {table}_immutable BEFORE UPDATE ON {table} "
                       "BEGIN SELECT RAISE(ABORT, 'facture émise : non modifiable (faites un avoir)'); END")
    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_payment_reverses_id_payment'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_payment_reverses_id'))
        batch_op.drop_column('reason')
        batch_op.drop_column('reverses_id')
    op.drop_table('fiscal_check')
    op.drop_table('fiscal_entry')
    op.drop_table('fiscal_chain')
