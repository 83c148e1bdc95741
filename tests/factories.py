"""Small builders of test data, each committing what it makes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import select

from cms.core.workflow import Role, Status
from cms.extensions import db
from cms.models import Article, Page, Series, User
from cms.services import articles, pages, related, series as series_service, users

PASSWORD = "correct horse battery"
NOW = datetime(2025, 2, 11, 14, tzinfo=UTC)


class Factories:
    def __init__(self, app: Flask) -> None:
        self.app = app

    def user(self, role: str = "author", email: str | None = None) -> int:
        with self.app.app_context():
            user = users.create_user(email or f"{role}@example.com", PASSWORD, Role(role), name=role.title())
            db.session.commit()
            return user.id

    def user_exists(self, email: str) -> bool:
        with self.app.app_context():
            return users.find_by_email(email) is not None

    def series(self, title: str = "Mother–Daughter Relationships", description: str = "") -> int:
        with self.app.app_context():
            made = series_service.create(title, description)
            db.session.commit()
            return made.id

    def article(self, title: str = "An article", *, status: Status = Status.PUBLISHED,
                publish_at: datetime | None = None, author_email: str = "author@example.com",
                series_id: int | None = None, tags: tuple[str, ...] = (), **fields: Any) -> int:
        """An article in `status`; live ones are dated a day before now unless `publish_at` says otherwise."""
        with self.app.app_context():
            author = users.find_by_email(author_email)
            if author is None:
                author = db.session.get(User, self.user("author", email=author_email))
            data = articles.ArticleInput(title=title, tags=tags,
                                         series=db.session.get(Series, series_id) if series_id else None,
                                         **fields)
            article = articles.create(data, by=author, now=NOW)
            if status is not Status.DRAFT:
                article.status = status
                if status in (Status.SCHEDULED, Status.PUBLISHED, Status.ARCHIVED):
                    article.publish_at = publish_at or datetime.now(UTC) - timedelta(days=1)
                    article.published_at = article.publish_at
            db.session.commit()
            ident = article.id
        self.worker_caught_up()
        return ident

    def worker_caught_up(self) -> None:
        """What `flask cms worker` does a moment after a save: compute the related articles of what was saved."""
        with self.app.app_context():
            related.catch_up(datetime.now(UTC))
            db.session.commit()

    def page(self, title: str = "About", body_source: str = "About me.", **fields: Any) -> int:
        with self.app.app_context():
            page = pages.save(None, title=title, body_source=body_source, **fields)
            db.session.commit()
            return page.id

    def get(self, model: type, ident: int) -> Any:
        """Return a fresh copy of a row, detached, for assertions."""
        with self.app.app_context():
            row = db.session.get(model, ident)
            db.session.expunge(row) if row is not None else None
            return row

    def scalars(self, query) -> list:
        with self.app.app_context():
            rows = list(db.session.scalars(query))
            db.session.expunge_all()
            return rows


__all__ = ["NOW", "PASSWORD", "Article", "Factories", "Page", "select"]
