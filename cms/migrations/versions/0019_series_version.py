"""series version: the writing screen's list of series is read again only after a series is written

Revision ID: 0019_series_version
Revises: 0018_related_queue
Create Date: 2026-12-01 12:10:00

content_version.series_version counts the transactions that wrote a series (added, renamed, removed), in any
process. A site of 100,000 articles has thousands of series, which every writing screen lists; each process keeps
the list it read for as long as the count holds.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0019_series_version'
down_revision = '0018_related_queue'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('content_version', sa.Column('series_version', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('content_version', schema=None) as batch_op:
        batch_op.drop_column('series_version')
