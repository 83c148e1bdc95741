"""articles by date: an index on publish_at, so the newest live articles are read in order, not sorted

Revision ID: 0014_articles_by_date
Revises: 0013_archive_sitemap_indexes
Create Date: 2026-11-30 13:00:00

The home page, tag pages and feeds ask for the newest few live articles. The index on (status, publish_at)
finds the live ones but not in date order across the two live statuses, so every request sorted all of them:
a cost that grew with the site. Read down publish_at instead, a list stops after the few it shows.
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0014_articles_by_date'
down_revision = '0013_archive_sitemap_indexes'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_articles_publish_at', 'articles', ['publish_at'], unique=False)


def downgrade():
    op.drop_index('ix_articles_publish_at', table_name='articles')
