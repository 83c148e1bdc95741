"""email subscriptions: subscribers, their subscriptions, the outbox and the articles queued for it

Revision ID: 0008_email_subscriptions
Revises: 0007_media_source
Create Date: 2026-11-30 10:00:00

site_settings.email_since stays empty until the first worker runs: articles live before then are never emailed.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0008_email_subscriptions'
down_revision = '0007_media_source'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN on SQLite too, as in 0006: nothing points at site_settings, but there is no need to rebuild it.
    op.add_column('site_settings', sa.Column('is_email_full_text', sa.Boolean(), server_default='1', nullable=False))
    op.add_column('site_settings', sa.Column('email_since', sa.DateTime(), nullable=True))
    op.create_table(
        'subscribers',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('status', sa.Enum('pending', 'confirmed', 'unsubscribed', 'bounced', name='subscriber_status',
                                    native_enum=False, create_constraint=True, length=20), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('confirmed_at', sa.DateTime(), nullable=True),
        sa.Column('link_epoch', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_subscribers')),
        sa.UniqueConstraint('email', name=op.f('uq_subscribers_email')),
    )
    op.create_table(
        'subscriptions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('subscriber_id', sa.Integer(), nullable=False),
        sa.Column('topic', sa.String(length=40), nullable=False),
        sa.Column('series_id', sa.Integer(), nullable=True),
        sa.Column('tag_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint('series_id IS NULL OR tag_id IS NULL', name=op.f('ck_subscriptions_one_target')),
        sa.ForeignKeyConstraint(['series_id'], ['series.id'], name=op.f('fk_subscriptions_series_id_series'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['subscriber_id'], ['subscribers.id'],
                                name=op.f('fk_subscriptions_subscriber_id_subscribers'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['tag_id'], ['tags.id'], name=op.f('fk_subscriptions_tag_id_tags'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_subscriptions')),
        sa.UniqueConstraint('subscriber_id', 'topic', name=op.f('uq_subscriptions_subscriber_id_topic')),
    )
    op.create_index(op.f('ix_subscriptions_series_id'), 'subscriptions', ['series_id'], unique=False)
    op.create_index(op.f('ix_subscriptions_tag_id'), 'subscriptions', ['tag_id'], unique=False)
    op.create_table(
        'mailings',
        sa.Column('article_id', sa.Integer(), nullable=False),
        sa.Column('queued_at', sa.DateTime(), nullable=False),
        sa.Column('recipients', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['article_id'], ['articles.id'], name=op.f('fk_mailings_article_id_articles'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('article_id', name=op.f('pk_mailings')),
    )
    op.create_table(
        'outbox',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('subscriber_id', sa.Integer(), nullable=False),
        sa.Column('article_id', sa.Integer(), nullable=True),
        sa.Column('topic', sa.String(length=40), nullable=True),
        sa.Column('status', sa.Enum('pending', 'sent', 'failed', name='outbox_status', native_enum=False,
                                    create_constraint=True, length=20), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', sa.DateTime(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('sent_at', sa.DateTime(), nullable=True),
        sa.Column('error', sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(['article_id'], ['articles.id'], name=op.f('fk_outbox_article_id_articles'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['subscriber_id'], ['subscribers.id'], name=op.f('fk_outbox_subscriber_id_subscribers'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox')),
        sa.UniqueConstraint('subscriber_id', 'article_id', name=op.f('uq_outbox_subscriber_id_article_id')),
    )
    op.create_index(op.f('ix_outbox_article_id'), 'outbox', ['article_id'], unique=False)
    op.create_index('ix_outbox_due', 'outbox', ['status', 'next_attempt_at'], unique=False)


def downgrade():
    op.drop_index('ix_outbox_due', table_name='outbox')
    op.drop_index(op.f('ix_outbox_article_id'), table_name='outbox')
    op.drop_table('outbox')
    op.drop_table('mailings')
    op.drop_index(op.f('ix_subscriptions_tag_id'), table_name='subscriptions')
    op.drop_index(op.f('ix_subscriptions_series_id'), table_name='subscriptions')
    op.drop_table('subscriptions')
    op.drop_table('subscribers')
    with op.batch_alter_table('site_settings', schema=None) as batch_op:
        batch_op.drop_column('email_since')
        batch_op.drop_column('is_email_full_text')
