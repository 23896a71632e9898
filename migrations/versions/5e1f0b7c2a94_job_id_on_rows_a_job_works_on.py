"""job id on the rows a job works on

The catalog syncs, OCR documents and audit packs keep the id of the RQ job that works on them
(core.queue.JobRow), as claims do: a row can be followed or queued again from its own id.

Revision ID: 5e1f0b7c2a94
Revises: dbdb5ecb8939
Create Date: 2026-12-01 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5e1f0b7c2a94'
down_revision = 'dbdb5ecb8939'
branch_labels = None
depends_on = None

TABLES = ('catalog_sync', 'ocr_document', 'audit_pack')


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('job_id', sa.String(length=64), nullable=True))


def downgrade():
    for table in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('job_id')
