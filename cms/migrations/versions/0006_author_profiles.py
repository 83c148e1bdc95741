"""author profiles: each user's credentials, bio and photo, shown with their articles

Revision ID: 0006_author_profiles
Revises: 0005_media
Create Date: 2026-11-24 10:00:00

The photo is a row of user_photos rather than a column of users: users.photo_id would close a foreign-key cycle
with media.uploaded_by_id, which a backup, restoring one table after another, could not satisfy.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0006_author_profiles'
down_revision = '0005_media'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN on SQLite too (batch mode would rebuild users, tripping the keys that point at it).
    op.add_column('users', sa.Column('credentials', sa.String(length=300), server_default='', nullable=False))
    op.add_column('users', sa.Column('bio', sa.Text(), server_default='', nullable=False))
    op.create_table(
        'user_photos',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('media_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['media_id'], ['media.id'], name=op.f('fk_user_photos_media_id_media'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_photos_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id', name=op.f('pk_user_photos')),
    )
    op.create_index(op.f('ix_user_photos_media_id'), 'user_photos', ['media_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_user_photos_media_id'), table_name='user_photos')
    op.drop_table('user_photos')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('bio')
        batch_op.drop_column('credentials')
