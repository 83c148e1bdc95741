"""site version: a live article edited in place changes the pages that show it, not every page

Revision ID: 0015_site_version
Revises: 0014_articles_by_date
Create Date: 2026-11-30 13:00:00

content_version.site_version is the public version of the last write readers see that can change any page: a
publish, a withdrawal, a new title, slug, date, series or tags, settings, pages, redirects. An edit of a live
article's text, summary or image only marks that article (articles.seen_version), and a cached page stays good
while none of the articles it showed is marked after it. It starts equal to the public version, so an upgrade
keeps the keys caches hold.

content_version.live_set_changed_at is when a write last moved the live set's times (a status or publish time,
an article added or removed): each process reads the next go-live and the live count again after it moves, not
after every save of a draft.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0015_site_version'
down_revision = '0014_articles_by_date'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('content_version', sa.Column('site_version', sa.Integer(), server_default='0', nullable=False))
    op.execute('UPDATE content_version SET site_version = public_version')
    op.add_column('content_version', sa.Column('live_set_changed_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('content_version', schema=None) as batch_op:
        batch_op.drop_column('live_set_changed_at')
        batch_op.drop_column('site_version')
