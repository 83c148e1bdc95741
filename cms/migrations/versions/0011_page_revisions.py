"""page revisions: a page's saves are kept as revisions too, in the same table as an article's

Revision ID: 0011_page_revisions
Revises: 0010_related_tag_weights
Create Date: 2026-11-30 10:00:00

A revision belongs to an article or to a page, never both. Each page that exists gets its present text as its
first revision, so its history starts from what it says now.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0011_page_revisions'
down_revision = '0010_related_tag_weights'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('revisions', schema=None) as batch_op:
        batch_op.alter_column('article_id', existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column('page_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_revisions_page_id_pages'), 'pages', ['page_id'], ['id'])
        batch_op.create_index(batch_op.f('ix_revisions_page_id'), ['page_id'], unique=False)
        batch_op.create_check_constraint('one_owner', '(article_id IS NULL) <> (page_id IS NULL)')
    op.execute("INSERT INTO revisions (page_id, created_at, title, summary, body_source, tags, note) "
               "SELECT id, updated_at, title, '', body_source, '[]', '' FROM pages")


def downgrade():
    op.execute("DELETE FROM revisions WHERE page_id IS NOT NULL")
    with op.batch_alter_table('revisions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_revisions_one_owner'), type_='check')
        batch_op.drop_index(batch_op.f('ix_revisions_page_id'))
        batch_op.drop_constraint(batch_op.f('fk_revisions_page_id_pages'), type_='foreignkey')
        batch_op.drop_column('page_id')
        batch_op.alter_column('article_id', existing_type=sa.Integer(), nullable=False)
