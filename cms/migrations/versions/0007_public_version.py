"""public version: a second counter of writes, bumped only by what readers can see

Revision ID: 0007_public_version
Revises: 0006_author_profiles
Create Date: 2026-11-30 10:00:00

Saving a draft no longer changes every public ETag: caches key on public_version, which only live-visible
writes bump (services.freshness). It starts equal to the version, so an upgrade keeps what caches hold.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0007_public_version'
down_revision = '0006_author_profiles'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN on SQLite too: nothing refers to this table.
    op.add_column('content_version', sa.Column('public_version', sa.Integer(), server_default='0', nullable=False))
    op.add_column('content_version', sa.Column('public_changed_at', sa.DateTime(), nullable=True))
    op.execute('UPDATE content_version SET public_version = version, public_changed_at = changed_at')


def downgrade():
    with op.batch_alter_table('content_version', schema=None) as batch_op:
        batch_op.drop_column('public_changed_at')
        batch_op.drop_column('public_version')
