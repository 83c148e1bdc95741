"""public version and word counts: a counter bumped only by what readers can see; each article's words counted

Revision ID: 0012_public_version
Revises: 0011_page_revisions
Create Date: 2026-11-30 10:00:00

Saving a draft no longer changes every public ETag: caches key on public_version, which only live-visible
writes bump (services.freshness). It starts equal to the version, so an upgrade keeps what caches hold.
articles.word_count gives reading time without loading bodies into lists; counted here for existing articles.
articles.seen_version says at which public version readers last saw an article change, so a process's index of
live titles takes in only what changed since it last looked.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0012_public_version'
down_revision = '0011_page_revisions'
branch_labels = None
depends_on = None

_BATCH = 500


def upgrade():
    # Plain ADD COLUMN on SQLite too: batch mode would rebuild articles, tripping the keys that point at it.
    op.add_column('content_version', sa.Column('public_version', sa.Integer(), server_default='0', nullable=False))
    op.add_column('content_version', sa.Column('public_changed_at', sa.DateTime(), nullable=True))
    op.execute('UPDATE content_version SET public_version = version, public_changed_at = changed_at')
    op.add_column('articles', sa.Column('word_count', sa.Integer(), nullable=True))
    op.add_column('articles', sa.Column('seen_version', sa.Integer(), server_default='0', nullable=False))
    op.create_index(op.f('ix_articles_seen_version'), 'articles', ['seen_version'], unique=False)
    connection = op.get_bind()
    articles = sa.table('articles', sa.column('id', sa.Integer()), sa.column('body_text', sa.Text()),
                        sa.column('word_count', sa.Integer()))
    last = 0
    while True:  # in batches by id, so a large site is never held in memory at once
        rows = connection.execute(sa.select(articles.c.id, articles.c.body_text).where(articles.c.id > last)
                                  .order_by(articles.c.id).limit(_BATCH)).all()
        if not rows:
            break
        connection.execute(articles.update().where(articles.c.id == sa.bindparam('ident'))
                           .values(word_count=sa.bindparam('words')),
                           [{'ident': ident, 'words': len((text or '').split())} for ident, text in rows])
        last = rows[-1][0]


def downgrade():
    op.drop_index(op.f('ix_articles_seen_version'), table_name='articles')
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.drop_column('seen_version')
        batch_op.drop_column('word_count')
    with op.batch_alter_table('content_version', schema=None) as batch_op:
        batch_op.drop_column('public_changed_at')
        batch_op.drop_column('public_version')
