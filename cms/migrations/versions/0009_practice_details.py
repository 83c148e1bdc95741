"""practice details: where the practice is, its phone, hours, fees note and a notice shown on articles

Revision ID: 0009_practice_details
Revises: 0008_email_subscriptions
Create Date: 2026-11-30 10:00:00
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0009_practice_details'
down_revision = '0008_email_subscriptions'
branch_labels = None
depends_on = None

COLUMNS = (('street_address', sa.String(length=200)), ('locality', sa.String(length=100)),
           ('region', sa.String(length=100)), ('postal_code', sa.String(length=20)),
           ('area_served', sa.String(length=300)), ('phone', sa.String(length=40)),
           ('hours', sa.String(length=300)), ('fees_note', sa.Text()), ('article_notice', sa.Text()))


def upgrade():
    with op.batch_alter_table('site_settings', schema=None) as batch_op:
        for name, type_ in COLUMNS:
            batch_op.add_column(sa.Column(name, type_, nullable=False, server_default=''))


def downgrade():
    with op.batch_alter_table('site_settings', schema=None) as batch_op:
        for name, _ in reversed(COLUMNS):
            batch_op.drop_column(name)
