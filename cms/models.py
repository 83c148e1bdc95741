"""The data: typed models with their constraints in the database. No queries, no commits, no Flask."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from flask_login import UserMixin
from sqlalchemy import (
    DDL,
    JSON,
    CheckConstraint,
    Column,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    event,
    func,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql import ColumnElement
from werkzeug.security import check_password_hash

from cms.core import media_files
from cms.core.subscriptions import OutboxStatus, SubscriberStatus
from cms.core.workflow import Role, Status
from cms.extensions import Model, db


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes in and out; stored naive in UTC so SQLite and PostgreSQL agree."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("Times stored in the database must be aware; naive times are ambiguous.")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def _enum(enum_class: type, name: str) -> Enum:
    """Stored as the lowercase value, checked by a CHECK constraint rather than a native type."""
    return Enum(enum_class, name=name, native_enum=False, create_constraint=True, length=20,
                values_callable=lambda members: [member.value for member in members])


def _utcnow() -> datetime:
    return datetime.now(UTC)


class User(UserMixin, Model):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lowercased
    name: Mapped[str] = mapped_column(String(120), default="")
    # The public profile: the byline, feeds and the author box under each of this user's articles.
    credentials: Mapped[str] = mapped_column(String(300), default="", server_default="")  # "LMFT"
    bio: Mapped[str] = mapped_column(Text, default="", server_default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(_enum(Role, "role"), default=Role.AUTHOR)
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_utcnow)
    # No longer read (each browser's session is a UserSession row now); kept so that backups made before
    # then, which hold this column, still restore.
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")

    # Through a table of its own: a column here would close a cycle with media.uploaded_by_id, and a backup
    # restores its tables one after another.
    photo: Mapped[Media | None] = relationship(secondary="user_photos", uselist=False)

    #: The token of the signed-in browser this copy was loaded for; not a column (the session table keeps only
    #: its hash). Flask-Login stores it in the cookie, so ending that session ends every copy of the cookie.
    if TYPE_CHECKING:  # at runtime a plain attribute: SQLAlchemy would take an annotation for a column
        session_token: str | None
    else:
        session_token = None

    def get_id(self) -> str | None:
        """What a browser's cookie remembers: its own session, not the account (None: not signed in)."""
        return self.session_token

    # Rows compare by identity, as the identity map intends; UserMixin's get_id() comparison would make two
    # accounts loaded without a session equal.
    __eq__ = object.__eq__
    __ne__ = object.__ne__
    __hash__ = object.__hash__

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def display_name(self) -> str:
        return self.name or self.email

    def __str__(self) -> str:
        return self.display_name


user_photos = Table(
    "user_photos",
    db.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),  # one photo a user
    # A deleted upload leaves the user without a photo.
    Column("media_id", ForeignKey("media.id", ondelete="CASCADE"), nullable=False, index=True),
)


class UserSession(Model):
    """One signed-in browser, listed under "Your sessions"; deleting the row signs that browser out."""

    __tablename__ = "user_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # SHA-256: a database copy signs no one in
    user_agent: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)  # signed in at
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)  # to within a few minutes

    user: Mapped[User] = relationship()


article_tag = Table(
    "article_tag",
    db.metadata,
    Column("article_id", ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Tag(Model):
    __tablename__ = "tags"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    articles: Mapped[list[Article]] = relationship(secondary=article_tag, back_populates="tags")

    def __str__(self) -> str:
        return self.name


class Series(Model):
    __tablename__ = "series"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_utcnow, onupdate=_utcnow)
    articles: Mapped[list[Article]] = relationship(back_populates="series", order_by="Article.series_part")

    def __str__(self) -> str:
        return self.title


class Article(Model):
    __tablename__ = "articles"
    __table_args__ = (
        UniqueConstraint("series_id", "series_part"),  # one article per part of a series
        CheckConstraint("(series_id IS NULL) = (series_part IS NULL)", name="part_with_series"),
        CheckConstraint("series_part IS NULL OR series_part >= 1", name="part_positive"),
        Index("ix_articles_live", "status", "publish_at"),
        # Newest first: lists read the newest few live articles down this index instead of sorting every one.
        Index("ix_articles_publish_at", "publish_at"),
        # A tag's newest, probed one by one down the dates, from the index alone (reader.is_live_clause's by_date).
        Index("ix_articles_listed", "publish_at", "id", "status", "version", "seen_version"),
        # Whether a series has a live part, from the index alone: in SQLite the row holds the bodies first.
        Index("ix_articles_series_live", "series_id", "status", "publish_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(String(300), default="")  # for search engines; summary if empty
    body_source: Mapped[str] = mapped_column(Text, default="")  # Markdown as the author wrote it
    body_html: Mapped[str] = mapped_column(Text, default="")  # rendered and sanitized on save
    body_text: Mapped[str] = mapped_column(Text, default="")  # its words alone, for search and related
    word_count: Mapped[int | None]  # of body_text, for reading time, so lists need no bodies; None: not counted
    html_version: Mapped[int] = mapped_column(default=0)  # the rendering pipeline that made body_html
    is_autolink_enabled: Mapped[bool] = mapped_column(default=True)  # link mentions of other articles' titles
    source_key: Mapped[str | None] = mapped_column(String(500), unique=True)  # where an import found it
    status: Mapped[Status] = mapped_column(_enum(Status, "status"), default=Status.DRAFT)
    publish_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # live from then, if scheduled/published
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # first publication, shown to readers
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_utcnow)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    series_id: Mapped[int | None] = mapped_column(ForeignKey("series.id"))  # indexed with what says live, below
    series_part: Mapped[int | None]
    featured_media_id: Mapped[int | None] = mapped_column(ForeignKey("media.id"), index=True)  # top image, og:image
    version: Mapped[int] = mapped_column()  # a stale edit fails instead of overwriting
    # The public version (ContentVersion) of the last change readers saw, set by services.freshness: what changed
    # since a version is found from an index, not by reading every article.
    seen_version: Mapped[int] = mapped_column(default=0, server_default="0", index=True)
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy reads it once, at mapping

    author: Mapped[User] = relationship()
    series: Mapped[Series | None] = relationship(back_populates="articles")
    featured_media: Mapped[Media | None] = relationship()
    tags: Mapped[list[Tag]] = relationship(secondary=article_tag, back_populates="articles", order_by=Tag.name)
    revisions: Mapped[list[Revision]] = relationship(back_populates="article", order_by="Revision.id")
    status_changes: Mapped[list[StatusChange]] = relationship(back_populates="article",
                                                              order_by="StatusChange.id")

    @hybrid_property
    def shown_at(self) -> datetime | None:
        """The date readers see: when it was first published, else the time it is set to go live."""
        return self.published_at or self.publish_at

    @shown_at.inplace.expression
    @classmethod
    def _shown_at_expression(cls) -> ColumnElement[datetime | None]:
        return func.coalesce(cls.published_at, cls.publish_at)

    @property
    def updated_shown_at(self) -> datetime:
        """When readers last saw it change: its last edit, or the date it shows if that is later."""
        shown = self.shown_at
        return max(self.updated_at, shown) if shown is not None else self.updated_at

    def __str__(self) -> str:
        return self.title


#: The archive's months and the sitemap's dates: ranges of the date readers see, with what decides whether an
#: article is live, so the archive counts a month from the index alone.
Index("ix_articles_shown_live", Article.status, func.coalesce(Article.published_at, Article.publish_at),
      Article.publish_at, Article.published_at)
#: A sitemap part: a range of ids with what says whether each is live and when it changed, read from the index
#: alone. In SQLite the table's rows hold the bodies before these columns: a range of 1,000 rows would read them.
Index("ix_articles_sitemap", Article.id, Article.status, Article.publish_at, Article.published_at, Article.updated_at,
      Article.slug)


class Page(Model):
    """An undated piece (About, Fees, Contact); never in feeds or series."""

    __tablename__ = "pages"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    body_source: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    html_version: Mapped[int] = mapped_column(default=0)
    is_published: Mapped[bool] = mapped_column(default=False)
    source_key: Mapped[str | None] = mapped_column(String(500), unique=True)
    menu_order: Mapped[int | None]  # shown in the site navigation when set, in this order
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_utcnow, onupdate=_utcnow)
    version: Mapped[int] = mapped_column()
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy reads it once, at mapping

    revisions: Mapped[list[Revision]] = relationship(back_populates="page", order_by="Revision.id")

    def __str__(self) -> str:
        return self.title


class Revision(Model):
    """What an article or a page said after one save; never changed or deleted once written."""

    __tablename__ = "revisions"
    __table_args__ = (CheckConstraint("(article_id IS NULL) <> (page_id IS NULL)", name="one_owner"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id"), index=True)
    page_id: Mapped[int | None] = mapped_column(ForeignKey("pages.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_utcnow)
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    body_source: Mapped[str] = mapped_column(Text, default="")
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    series_title: Mapped[str | None] = mapped_column(String(300))
    series_part: Mapped[int | None]
    note: Mapped[str] = mapped_column(String(300), default="")  # e.g. "restored from revision 4"

    article: Mapped[Article | None] = relationship(back_populates="revisions")
    page: Mapped[Page | None] = relationship(back_populates="revisions")
    author: Mapped[User | None] = relationship()

    @property
    def owner(self) -> Article | Page:
        """The article or page this revision belongs to."""
        owner = self.article or self.page
        if owner is None:  # the one_owner constraint makes this unreachable once stored
            raise ValueError("A revision belongs to an article or a page.")
        return owner


class StatusChange(Model):
    """Who moved an article from which status to which, and when."""

    __tablename__ = "status_changes"
    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    from_status: Mapped[Status] = mapped_column(_enum(Status, "from_status"))
    to_status: Mapped[Status] = mapped_column(_enum(Status, "to_status"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    publish_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the time set by this move, if any

    article: Mapped[Article] = relationship(back_populates="status_changes")
    actor: Mapped[User | None] = relationship()


class Redirect(Model):
    """An old path that answers 301 to where its content lives now (changed slugs, imported permalinks)."""

    __tablename__ = "redirects"
    id: Mapped[int] = mapped_column(primary_key=True)
    old_path: Mapped[str] = mapped_column(String(500), unique=True)
    new_path: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_utcnow)


class SiteSettings(Model):
    """The one row of settings an admin edits in the back office."""

    __tablename__ = "site_settings"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200), default="My practice")
    tagline: Mapped[str] = mapped_column(String(300), default="")
    timezone: Mapped[str | None] = mapped_column(String(64))  # empty means the SITE_TIMEZONE setting
    author_name: Mapped[str] = mapped_column(String(200), default="")
    author_credentials: Mapped[str] = mapped_column(String(300), default="")
    author_bio: Mapped[str] = mapped_column(Text, default="")
    consultation_text: Mapped[str] = mapped_column(String(300), default="")
    consultation_url: Mapped[str] = mapped_column(String(500), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    # The practice, as the home page, footer, contact page and structured data show it; empty means not shown.
    # server_default: rows made before migration 0007 get empty details, not NULL.
    street_address: Mapped[str] = mapped_column(String(200), default="", server_default="")
    locality: Mapped[str] = mapped_column(String(100), default="", server_default="")  # city: New York
    region: Mapped[str] = mapped_column(String(100), default="", server_default="")  # state: NY
    postal_code: Mapped[str] = mapped_column(String(20), default="", server_default="")
    area_served: Mapped[str] = mapped_column(String(300), default="", server_default="")  # "Online across NY"
    phone: Mapped[str] = mapped_column(String(40), default="", server_default="")
    hours: Mapped[str] = mapped_column(String(300), default="", server_default="")
    fees_note: Mapped[str] = mapped_column(Text, default="", server_default="")  # insurance and fees, briefly
    article_notice: Mapped[str] = mapped_column(Text, default="", server_default="")  # on every article: 988
    feed_size: Mapped[int] = mapped_column(default=20)  # newest entries in each feed
    related_count: Mapped[int] = mapped_column(default=3)  # related articles shown under each article
    related_min_score: Mapped[float] = mapped_column(default=0.05)  # below this, nothing is related
    # Emails to subscribers carry the whole article; off, its summary and a link.
    is_email_full_text: Mapped[bool] = mapped_column(default=True, server_default="1")
    # Articles going live from then on are emailed: set by the first worker, so that the articles a site had
    # (and old ones imported later, dated before it) are never sent.
    email_since: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def phone_uri(self) -> str:
        """The phone number as a link that dials it: tel: with its digits (and a leading +) only."""
        return "tel:" + "".join(char for char in self.phone if char.isdigit() or char == "+")


class ContentVersion(Model):
    """Counters of writes, so caches in every process know when to drop (see services.freshness).

    `version` counts every write to content, drafts included; `public_version` only those readers can see;
    `site_version` is the public version of the last of those that can change any page (not only the pages showing
    the live articles it edited in place); `series_version` counts the writes to series, which the writing screen
    lists.
    """

    __tablename__ = "content_version"
    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(default=0)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_utcnow)
    public_version: Mapped[int] = mapped_column(default=0, server_default="0")
    public_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # None: never
    site_version: Mapped[int] = mapped_column(default=0, server_default="0")
    # When a write last moved the live set's times (an article's status or publish time, an article added or
    # removed); None: not since the upgrade that added it.
    live_set_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    series_version: Mapped[int] = mapped_column(default=0, server_default="0")


class RelatedChoice(Model):
    """The author's word on one related article: pinned (shown first, in `position` order) or excluded."""

    __tablename__ = "related_choices"
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True)
    other_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True)
    is_pinned: Mapped[bool] = mapped_column()  # False: excluded
    position: Mapped[int] = mapped_column(default=0)


class RelatedScore(Model):
    """A computed affinity between two articles, kept current as articles are saved; `reasons` explains it."""

    __tablename__ = "related_scores"
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True)
    other_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True,
                                          index=True)
    score: Mapped[float] = mapped_column()
    reasons: Mapped[dict] = mapped_column(JSON, default=dict)  # {"terms", "tags", "tag_weights": [...], "series": bool}


class RelatedQueued(Model):
    """An article saved since its related articles were last computed: the worker takes these in order.

    A row per save rather than per article, so a save never waits on the worker's lock of an earlier one.
    """

    __tablename__ = "related_queue"
    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))


class Autosave(Model):
    """The editor's text saved every few seconds, apart from revisions, to offer back after a crash."""

    __tablename__ = "autosaves"
    __table_args__ = (UniqueConstraint("user_id", "article_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    article_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))  # None: new
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime)
    title: Mapped[str] = mapped_column(String(300), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    body_source: Mapped[str] = mapped_column(Text, default="")


class PreviewToken(Model):
    """A private, revocable link that shows a draft to someone without an account."""

    __tablename__ = "preview_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Media(Model):
    """An upload: an image, or an audio or video file, kept in the database, so every server and every backup
    has it.

    An image is checked and re-encoded; its bytes live in `media_variants`: the original (at its own width, in
    its own format) and smaller copies. An audio or video file is kept as it came, in `media_files`.
    """

    __tablename__ = "media"
    __table_args__ = (
        CheckConstraint("kind IN ('image', 'audio', 'video')", name="known_kind"),
        CheckConstraint("kind <> 'image' OR (width IS NOT NULL AND height IS NOT NULL)", name="image_size"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(32), unique=True)  # random hex; its URL is /uploads/<key>.<ext>
    filename: Mapped[str] = mapped_column(String(255), default="")  # as uploaded, for people; never for paths
    alt: Mapped[str] = mapped_column(String(500), default="")  # what the image shows, for screen readers
    kind: Mapped[str] = mapped_column(String(8), default="image", server_default="image")
    width: Mapped[int | None] = mapped_column()  # of an image; sound and film have none here
    height: Mapped[int | None] = mapped_column()
    content_type: Mapped[str] = mapped_column(String(40))  # of an image as re-encoded; of a file as sniffed
    byte_size: Mapped[int] = mapped_column()  # of the original
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_utcnow)
    # Where an imported image came from ("old.example.com/wp-content/uploads/2024/10/a.jpg"), so importing the
    # same site again finds it instead of storing it twice; None for uploads.
    source: Mapped[str | None] = mapped_column(String(1000), unique=True, index=True)

    uploaded_by: Mapped[User | None] = relationship(foreign_keys=[uploaded_by_id])
    variants: Mapped[list[MediaVariant]] = relationship(back_populates="media", cascade="all, delete-orphan",
                                                        passive_deletes=True, order_by="MediaVariant.width")
    file: Mapped[MediaFile | None] = relationship(back_populates="media", cascade="all, delete-orphan",
                                                  passive_deletes=True)

    def __str__(self) -> str:
        return self.filename or self.key

    @property
    def is_image(self) -> bool:
        return self.kind == "image"

    @property
    def image_size(self) -> tuple[int, int]:
        """Width and height of an image; raises ValueError for an audio or video file, which has none."""
        if self.width is None or self.height is None:
            raise ValueError(f"{self} is {self.kind}, not an image")
        return self.width, self.height

    @property
    def extension(self) -> str:
        if not self.is_image:
            return media_files.BY_CONTENT_TYPE[self.content_type].extension
        return {"image/jpeg": "jpg"}.get(self.content_type, self.content_type.removeprefix("image/"))

    @property
    def file_name(self) -> str:
        """The original's name under /uploads/."""
        return f"{self.key}.{self.extension}"

    def thumbnail_name(self, width: int = 480) -> str:
        """The name under /uploads/ of a copy about `width` wide (the original if it is no wider; animations
        have no copies). Only for images."""
        is_copied = (self.width or 0) > width and self.content_type != "image/gif"
        return f"{self.key}-{width}.{self.extension}" if is_copied else self.file_name


class MediaVariant(Model):
    """One encoding of an image at one width: the original itself, a smaller copy, or a WebP of either."""

    __tablename__ = "media_variants"
    __table_args__ = (CheckConstraint("format IN ('jpeg', 'png', 'gif', 'webp')", name="known_format"),)
    media_id: Mapped[int] = mapped_column(ForeignKey("media.id", ondelete="CASCADE"), primary_key=True)
    width: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    format: Mapped[str] = mapped_column(String(8), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)  # loaded only when served

    media: Mapped[Media] = relationship(back_populates="variants")


class MediaFile(Model):
    """The bytes of an audio or video upload, as they came: one row, loaded only when served or backed up."""

    __tablename__ = "media_files"
    media_id: Mapped[int] = mapped_column(ForeignKey("media.id", ondelete="CASCADE"), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)

    media: Mapped[Media] = relationship(back_populates="file")


class Subscriber(Model):
    """One email address, with any number of subscriptions; nothing else is known about the person."""

    __tablename__ = "subscribers"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lowercased
    status: Mapped[SubscriberStatus] = mapped_column(_enum(SubscriberStatus, "subscriber_status"),
                                                     default=SubscriberStatus.PENDING)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Counts the subscriptions ended: a confirmation link sent before then no longer subscribes anyone.
    link_epoch: Mapped[int] = mapped_column(default=0)

    subscriptions: Mapped[list[Subscription]] = relationship(
        back_populates="subscriber", cascade="all, delete-orphan", passive_deletes=True, order_by="Subscription.id")

    def __str__(self) -> str:
        return self.email


class Subscription(Model):
    """What one subscriber follows: the whole site, one series or one tag (`topic` says which, as text)."""

    __tablename__ = "subscriptions"
    __table_args__ = (
        UniqueConstraint("subscriber_id", "topic"),
        CheckConstraint("series_id IS NULL OR tag_id IS NULL", name="one_target"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id", ondelete="CASCADE"))
    topic: Mapped[str] = mapped_column(String(40))  # "site", "series:<id>" or "tag:<id>"
    series_id: Mapped[int | None] = mapped_column(ForeignKey("series.id", ondelete="CASCADE"), index=True)
    tag_id: Mapped[int | None] = mapped_column(ForeignKey("tags.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_utcnow)

    subscriber: Mapped[Subscriber] = relationship(back_populates="subscriptions")
    series: Mapped[Series | None] = relationship()
    tag: Mapped[Tag | None] = relationship()


class Mailing(Model):
    """An article the worker found live and queued for its subscribers: once per article, ever."""

    __tablename__ = "mailings"
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True)
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recipients: Mapped[int] = mapped_column(default=0)


class OutboxEmail(Model):
    """One email to send: an article to one subscriber (unique, so nobody gets it twice), or a confirmation."""

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("subscriber_id", "article_id"),  # NULLs (confirmations) never collide
        Index("ix_outbox_due", "status", "next_attempt_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id", ondelete="CASCADE"))
    article_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    topic: Mapped[str | None] = mapped_column(String(40))  # a confirmation: the subscription it confirms
    status: Mapped[OutboxStatus] = mapped_column(_enum(OutboxStatus, "outbox_status"), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error: Mapped[str] = mapped_column(String(300), default="")  # the mail server's last refusal

    subscriber: Mapped[Subscriber] = relationship()
    article: Mapped[Article | None] = relationship()


# Full-text search lives outside the mapped columns, in each engine's own form; Alembic leaves these alone.
SEARCH_OBJECTS = ("article_search", "search_vector", "ix_articles_search")

_SQLITE_SEARCH_DDL = (
    "CREATE VIRTUAL TABLE article_search USING fts5(title, summary, body_text, content='articles', "
    "content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')",
    "CREATE TRIGGER article_search_insert AFTER INSERT ON articles BEGIN "
    "INSERT INTO article_search(rowid, title, summary, body_text) "
    "VALUES (new.id, new.title, new.summary, new.body_text); END",
    "CREATE TRIGGER article_search_delete AFTER DELETE ON articles BEGIN "
    "INSERT INTO article_search(article_search, rowid, title, summary, body_text) "
    "VALUES ('delete', old.id, old.title, old.summary, old.body_text); END",
    "CREATE TRIGGER article_search_update AFTER UPDATE OF title, summary, body_text ON articles BEGIN "
    "INSERT INTO article_search(article_search, rowid, title, summary, body_text) "
    "VALUES ('delete', old.id, old.title, old.summary, old.body_text); "
    "INSERT INTO article_search(rowid, title, summary, body_text) "
    "VALUES (new.id, new.title, new.summary, new.body_text); END",
)
_POSTGRESQL_SEARCH_DDL = (
    "ALTER TABLE articles ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('english', coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('english', coalesce(summary, '')), 'B') || "
    "setweight(to_tsvector('english', coalesce(body_text, '')), 'C')) STORED",
    "CREATE INDEX ix_articles_search ON articles USING gin (search_vector)",
)
for _statement in _SQLITE_SEARCH_DDL:
    event.listen(Article.__table__, "after_create", DDL(_statement).execute_if(dialect="sqlite"))
for _statement in _POSTGRESQL_SEARCH_DDL:
    event.listen(Article.__table__, "after_create", DDL(_statement).execute_if(dialect="postgresql"))
event.listen(Article.__table__, "before_drop",
             DDL("DROP TABLE IF EXISTS article_search").execute_if(dialect="sqlite"))


def is_search_object(name: str | None) -> bool:
    """Whether Alembic's comparison should skip `name` (see SEARCH_OBJECTS)."""
    return name is not None and name.startswith(SEARCH_OBJECTS)
