"""media source: where an imported image came from, so importing the same site again finds it

Revision ID: 0007_media_source
Revises: 0006_author_profiles
Create Date: 2026-11-30 10:00:00
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0007_media_source'
down_revision = '0006_author_profiles'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN on SQLite too (batch mode would rebuild media, tripping the keys that point at it).
    op.add_column('media', sa.Column('source', sa.String(length=1000), nullable=True))
    op.create_index(op.f('ix_media_source'), 'media', ['source'], unique=True)


def downgrade():
    op.drop_index(op.f('ix_media_source'), table_name='media')
    with op.batch_alter_table('media', schema=None) as batch_op:
        batch_op.drop_column('source')
