"""Related articles as readers get them: pins first, then the best stored scores, live articles only."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from cms.extensions import db
from cms.models import Article, RelatedChoice, RelatedScore, SiteSettings
from cms.services import reader


def for_article(article: Article, now: datetime, settings: SiteSettings) -> list[Article]:
    """Return up to settings.related_count live articles related to `article`: pinned ones, then by score.

    Liveness is checked here, at read time, so a stored score never shows an article before its time.
    """
    limit = settings.related_count
    choices = db.session.scalars(select(RelatedChoice).where(RelatedChoice.article_id == article.id)).all()
    excluded = {choice.other_id for choice in choices if not choice.is_pinned}
    pinned = [choice.other_id for choice in sorted(choices, key=lambda c: c.position) if choice.is_pinned]
    live = reader.live_articles(now).where(Article.id != article.id)
    pinned_articles = {a.id: a for a in db.session.scalars(live.where(Article.id.in_(pinned)))} if pinned else {}
    result = [pinned_articles[ident] for ident in pinned if ident in pinned_articles][:limit]
    if len(result) < limit:
        scored = (live.join(RelatedScore, RelatedScore.other_id == Article.id)
                  .where(RelatedScore.article_id == article.id, RelatedScore.score >= settings.related_min_score,
                         Article.id.not_in(excluded | set(pinned)))
                  .order_by(None).order_by(RelatedScore.score.desc(), Article.publish_at.desc())
                  .limit(limit - len(result)))
        result.extend(db.session.scalars(scored))
    return result
