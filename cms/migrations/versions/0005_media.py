"""media: uploaded images and their variants in the database; an article's featured image

Revision ID: 0005_media
Revises: 0004_user_sessions
Create Date: 2026-11-23 10:00:00

Files of the old upload folder are moved into these tables by `flask cms init` (it needs the app's settings to
find the folder, and Pillow to make the variants), not here.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0005_media'
down_revision = '0004_user_sessions'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'media',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=32), nullable=False),
        sa.Column('filename', sa.String(length=255), nullable=False),
        sa.Column('alt', sa.String(length=500), nullable=False),
        sa.Column('width', sa.Integer(), nullable=False),
        sa.Column('height', sa.Integer(), nullable=False),
        sa.Column('content_type', sa.String(length=40), nullable=False),
        sa.Column('byte_size', sa.Integer(), nullable=False),
        sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_media_uploaded_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_media')),
        sa.UniqueConstraint('key', name=op.f('uq_media_key')),
    )
    with op.batch_alter_table('media', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_media_uploaded_by_id'), ['uploaded_by_id'], unique=False)
    op.create_table(
        'media_variants',
        sa.Column('media_id', sa.Integer(), nullable=False),
        sa.Column('width', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('format', sa.String(length=8), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.CheckConstraint("format IN ('jpeg', 'png', 'gif', 'webp')",
                           name=op.f('ck_media_variants_known_format')),
        sa.ForeignKeyConstraint(['media_id'], ['media.id'], name=op.f('fk_media_variants_media_id_media'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('media_id', 'width', 'format', name=op.f('pk_media_variants')),
    )
    if op.get_bind().dialect.name == 'sqlite':
        # A plain ADD COLUMN with its REFERENCES (SQLite allows it for a nullable column, Alembic does not say
        # it): rebuilding articles would trip the foreign keys that point at it.
        op.execute('ALTER TABLE articles ADD COLUMN featured_media_id INTEGER '
                   'CONSTRAINT fk_articles_featured_media_id_media REFERENCES media (id)')
    else:
        op.add_column('articles', sa.Column('featured_media_id', sa.Integer(), nullable=True))
        op.create_foreign_key(op.f('fk_articles_featured_media_id_media'), 'articles', 'media',
                              ['featured_media_id'], ['id'])
    op.create_index(op.f('ix_articles_featured_media_id'), 'articles', ['featured_media_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_articles_featured_media_id'), table_name='articles')
    with op.batch_alter_table('articles', schema=None) as batch_op:
        if op.get_bind().dialect.name != 'sqlite':
            batch_op.drop_constraint(op.f('fk_articles_featured_media_id_media'), type_='foreignkey')
        batch_op.drop_column('featured_media_id')
    op.drop_table('media_variants')
    with op.batch_alter_table('media', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_media_uploaded_by_id'))
    op.drop_table('media')
