"""related queue: saves note the article, the worker computes related articles off the request path

Revision ID: 0018_related_queue
Revises: 0017_media_files
Create Date: 2026-11-30 21:10:00

A save adds a row naming its article in its own transaction; the worker computes and deletes them.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0018_related_queue'
down_revision = '0017_media_files'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'related_queue',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('article_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['article_id'], ['articles.id'], name=op.f('fk_related_queue_article_id_articles'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_related_queue')),
    )


def downgrade():
    op.drop_table('related_queue')
