"""session version for signing out everywhere

Revision ID: 0003_session_version
Revises: 0002
Create Date: 2026-11-22 03:09:39.076698

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0003_session_version'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN on SQLite too: rebuilding users would trip the foreign keys that point at it.
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_version')
