"""archive and sitemap indexes: an archive month and a sitemap part are each a range of one index

Revision ID: 0013_archive_sitemap_indexes
Revises: 0012_public_version
Create Date: 2026-11-30 13:30:00

The archive lists and counts live articles by coalesce(published_at, publish_at) a month at a time; with the
status first and both dates in the index, a month is counted without reading its rows. A sitemap part is a range
of article ids; its index holds what the part shows, so the rows (and in SQLite the bodies stored before these
columns) are not read. Likewise whether each series has a live part: the series index takes in status and
publish_at (and still serves every lookup by series).
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0013_archive_sitemap_indexes'
down_revision = '0012_public_version'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_articles_shown_live', 'articles',
                    ['status', sa.text('coalesce(published_at, publish_at)'), 'publish_at', 'published_at'],
                    unique=False)
    op.create_index('ix_articles_sitemap', 'articles',
                    ['id', 'status', 'publish_at', 'published_at', 'updated_at', 'slug'], unique=False)
    op.create_index('ix_articles_series_live', 'articles', ['series_id', 'status', 'publish_at'], unique=False)
    op.drop_index('ix_articles_series_id', table_name='articles')


def downgrade():
    op.create_index('ix_articles_series_id', 'articles', ['series_id'], unique=False)
    op.drop_index('ix_articles_series_live', table_name='articles')
    op.drop_index('ix_articles_sitemap', table_name='articles')
    op.drop_index('ix_articles_shown_live', table_name='articles')
