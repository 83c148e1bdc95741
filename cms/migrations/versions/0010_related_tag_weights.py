"""related tag weights: no schema change; stored related scores are recomputed under the new scoring

Revision ID: 0010_related_tag_weights
Revises: 0009_practice_details
Create Date: 2026-11-30 10:45:00

Related articles are now scored with BM25-weighted terms and title phrases, and shared tags count by a weight
learned from the site; each stored score's reasons carry those weights ("tag_weights"). Scores stored before
are stale, not wrong in shape: `flask cms init` recomputes every related score when an upgrade reaches a new
revision, so this revision exists to make it do so once.
"""

# revision identifiers, used by Alembic.
revision = '0010_related_tag_weights'
down_revision = '0009_practice_details'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
