"""media files: audio and video in the media library, kept as they came, beside the images

Revision ID: 0017_media_files
Revises: 0016_articles_listed
Create Date: 2026-11-30 18:40:00

An upload has a kind (image, audio, video); only an image has a width and height. The bytes of an audio or
video file are one row of media_files. Every upload made so far is an image.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0017_media_files'
down_revision = '0016_articles_listed'
branch_labels = None
depends_on = None


def upgrade():
    # SQLite rebuilds media to loosen width and height; the upgrade's connection has foreign keys off for that.
    with op.batch_alter_table('media', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=8), server_default='image', nullable=False))
        batch_op.alter_column('width', existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column('height', existing_type=sa.Integer(), nullable=True)
        batch_op.create_check_constraint(op.f('ck_media_known_kind'), "kind IN ('image', 'audio', 'video')")
        batch_op.create_check_constraint(op.f('ck_media_image_size'),
                                         "kind <> 'image' OR (width IS NOT NULL AND height IS NOT NULL)")
    op.create_table(
        'media_files',
        sa.Column('media_id', sa.Integer(), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(['media_id'], ['media.id'], name=op.f('fk_media_files_media_id_media'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('media_id', name=op.f('pk_media_files')),
    )


def downgrade():
    op.drop_table('media_files')
    op.execute("DELETE FROM media WHERE kind <> 'image'")
    with op.batch_alter_table('media', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_media_image_size'), type_='check')
        batch_op.drop_constraint(op.f('ck_media_known_kind'), type_='check')
        batch_op.alter_column('height', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('width', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('kind')
