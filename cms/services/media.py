"""The media library: bodies rendered with responsive images, where each upload is used, alt text, deleting,
and an article's featured image."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Select, func, or_, select

from cms.core import images, media_files, rendering, workflow
from cms.core.errors import InvalidInput, NotAllowed
from cms.extensions import db
from cms.models import Article, Media, Page, User, user_photos
from cms.services import freshness, uploads

#: How many uploads the writing screen offers as a featured image.
RECENT = 100


def render_body(source: str) -> str:
    """Return the HTML readers get for Markdown `source`: sanitized, with our uploads served responsively.

    Every path that stores a body (writing screen, pages, import, restore, re-rendering) goes through here, so
    they all produce the same HTML. Raises InvalidInput as `rendering.render` does.
    """
    html = rendering.render(source)
    return images.responsive(html, uploads.lookup(images.upload_keys(html)))


@dataclass(frozen=True)
class Usage:
    """What shows an upload: articles (in their body or as featured image), pages, and authors' profile photos."""

    articles: list[Article] = field(default_factory=list)
    pages: list[Page] = field(default_factory=list)
    profiles: list[User] = field(default_factory=list)

    @property
    def is_used(self) -> bool:
        return bool(self.articles or self.pages or self.profiles)

    def titles(self) -> list[str]:
        shown = [article.title for article in self.articles] + [page.title for page in self.pages]
        return shown + [f"the profile of {user.display_name}" for user in self.profiles]


def usage(media: Media) -> Usage:
    """Return where `media` is used. Bodies are searched for its key, which is random and so found nowhere else."""
    pattern = f"%{media.key}%"
    found_articles = db.session.scalars(select(Article).where(or_(
        Article.body_source.like(pattern), Article.featured_media_id == media.id)).order_by(Article.title))
    found_pages = db.session.scalars(select(Page).where(Page.body_source.like(pattern)).order_by(Page.title))
    found_profiles = db.session.scalars(select(User).join(user_photos, user_photos.c.user_id == User.id)
                                        .where(user_photos.c.media_id == media.id).order_by(User.email))
    return Usage(articles=list(found_articles), pages=list(found_pages), profiles=list(found_profiles))


def visible_to(by: User) -> Select[Media]:
    """Select the uploads `by` manages, newest first: all for editors and admins, their own for authors."""
    query = select(Media).order_by(Media.created_at.desc(), Media.id.desc())
    return query if workflow.may_edit_any(by.role) else query.where(Media.uploaded_by_id == by.id)


def images_visible_to(by: User) -> Select[Media]:
    """`visible_to(by)` without audio and video: what may be a featured image or a profile photo."""
    return visible_to(by).where(Media.kind == media_files.IMAGE)


def count_visible(by: User) -> int:
    return db.session.scalar(select(func.count()).select_from(visible_to(by).order_by(None).subquery())) or 0


def count_visible_by_kind(by: User) -> dict[str, int]:
    """How many uploads `by` manages, by kind ("image", "audio", "video"); kinds with none are left out."""
    shown = visible_to(by).order_by(None).subquery()
    counted = db.session.execute(select(shown.c.kind, func.count()).group_by(shown.c.kind))
    return dict(counted.all())


def check_may_manage(media: Media, by: User) -> None:
    """Raise NotAllowed unless `by` may change or delete `media`: editors any, authors their own."""
    if not workflow.may_edit_any(by.role) and media.uploaded_by_id != by.id:
        raise NotAllowed("Authors can change only their own uploads.")


def set_alt(media: Media, alt: str, *, by: User) -> Media:
    """Change the description of `media` (offered when it is inserted, used for a featured image)."""
    check_may_manage(media, by)
    text = " ".join(alt.split())
    if len(text) > 500:
        raise InvalidInput("Keep the description under 500 characters.", field="alt")
    if text != media.alt and usage(media).is_used:
        # Readers get the description with the picture wherever it is shown; pictures are kept by their own
        # rows, which no article's write follows, so the change counts as one to the site as a whole.
        freshness.readers_see_this_transaction(db.session())
    media.alt = text
    db.session.flush()
    return media


def delete(media: Media, *, by: User) -> None:
    """Delete `media` and its copies; refused, in one sentence, while an article or page shows it."""
    check_may_manage(media, by)
    used = usage(media).titles()
    if used:
        more = f" and {len(used) - 1} more" if len(used) > 1 else ""
        first = used[0] if used[0].startswith("the profile of ") else f"“{used[0]}”"
        raise InvalidInput(f"“{media}” is still shown in {first}{more}; take it out there first.")
    db.session.delete(media)
    db.session.flush()


def check_image(media: Media, *, field: str) -> None:
    """Raise InvalidInput unless `media` is an image (a featured image or a photo cannot be a sound)."""
    if not media.is_image:
        raise InvalidInput(f"“{media}” is {'an audio' if media.kind == 'audio' else 'a video'} file; "
                           "choose an image.", field=field)


def featured_choices(by: User, article: Article | None) -> list[Media]:
    """The uploads the writing screen offers as featured image: recent ones `by` manages, plus the current."""
    choices = list(db.session.scalars(images_visible_to(by).limit(RECENT)))
    current = article.featured_media if article is not None else None
    if current is not None and current not in choices:
        choices.insert(0, current)
    return choices


def set_featured(article: Article, media_id: int | None, *, by: User, now: datetime) -> None:
    """Make upload `media_id` (None: none) the featured image of `article`."""
    if media_id == article.featured_media_id:
        return
    if media_id is not None:
        media = db.session.get(Media, media_id)
        if media is None:
            raise InvalidInput("That image is no longer in the media library; choose another.",
                               field="featured_media_id")
        check_image(media, field="featured_media_id")
        check_may_manage(media, by)
    article.featured_media_id = media_id
    article.updated_at = now
    db.session.flush()


def missing_alt(article: Article) -> list[str]:
    """Name every image of `article` that has no description (alt text): its upload's file name, else its
    address; the featured image counts too."""
    addresses = images.images_without_alt(article.body_html)
    keys = [match["key"] for address in addresses if (match := images.UPLOAD_PATH.fullmatch(address))]
    names = dict(db.session.execute(select(Media.key, Media.filename).where(Media.key.in_(keys))).all()) if keys else {}
    missing = []
    for address in addresses:
        match = images.UPLOAD_PATH.fullmatch(address)
        missing.append((names.get(match["key"]) if match else None) or address)
    featured = article.featured_media
    if featured is not None and not featured.alt:
        missing.append(f"{featured} (featured image)")
    return missing


@dataclass(frozen=True)
class FeaturedImage:
    """An article's featured image, ready for its page: the markup, what to preload, what to share."""

    html: str  # a <picture>, sanitized like a body
    preload_srcset: str  # the candidates the browser picks from first (WebP when there are copies)
    preload_type: str
    sizes: str
    file_name: str  # of the original, under /uploads/, for Open Graph
    alt: str
    width: int
    height: int


def featured_image(article: Article) -> FeaturedImage | None:
    """Return the featured image of `article` for its page, or None if it has none."""
    chosen = article.featured_media
    if chosen is None:
        return None
    info = uploads.lookup([chosen.key])[chosen.key]
    html = rendering.sanitize(images.picture(chosen.key, info, alt=chosen.alt, is_lazy=False))
    is_webp = bool(info.webp_widths) and info.format != "webp"
    extension = "webp" if is_webp else chosen.extension
    return FeaturedImage(html=html, preload_srcset=images.srcset(chosen.key, info.webp_widths if is_webp
                                                                 else info.widths, extension),
                         preload_type=f"image/{'webp' if is_webp else info.format}", sizes=images.SIZES,
                         file_name=chosen.file_name, alt=chosen.alt, width=info.width, height=info.height)


def picture_html(chosen: Media, *, sizes: str, is_lazy: bool = True) -> str:
    """Return the <picture> showing upload `chosen` at the widths it has, for a slot `sizes` wide (an author's
    photo in the author box, say), sanitized like a body."""
    info = uploads.lookup([chosen.key])[chosen.key]
    return rendering.sanitize(images.picture(chosen.key, info, alt=chosen.alt, sizes=sizes, is_lazy=is_lazy))
