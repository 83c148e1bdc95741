"""Tags: free labels, created the first time they are used."""

from collections.abc import Iterable, Mapping
from datetime import datetime

from sqlalchemy import func, or_, select

from cms.core import workflow
from cms.core.errors import InvalidInput
from cms.core.slugs import slugify
from cms.extensions import column_length, db
from cms.models import Article, Tag, User, article_tag
from cms.services import reader, redirects


def resolve(names: Iterable[str]) -> list[Tag]:
    """Return the tags named, in order and without repeats, creating the ones that do not exist yet.

    A tag is the one with the name's slug, or else the one with the name in other letter case; all are read in
    one query."""
    wanted: dict[str, str] = {}  # slug -> name, in order
    for raw in names:
        name = " ".join(raw.split())
        if name:
            wanted.setdefault(check_name(name), name)
    found = _find(wanted)
    return [found.get(slug) or _create(slug, name) for slug, name in wanted.items()]


def names_offered_to(by: User, now: datetime) -> list[str]:
    """Return the tag names the writing screen offers `by`, by name: every tag to editors; to authors, the tags
    of live articles and of their own, so another author's draft does not show through its tags."""
    query = select(Tag.name).order_by(Tag.name)
    if not workflow.may_edit_any(by.role):
        seen = select(article_tag.c.tag_id).join(Article, Article.id == article_tag.c.article_id).where(
            or_(reader.is_live_clause(now), Article.author_id == by.id))
        query = query.where(Tag.id.in_(seen))
    return list(db.session.scalars(query))


#: As long as the column that keeps it.
MAX_NAME = column_length(Tag.__table__.c.name)


def check_name(name: str) -> str:
    """Return the slug of the tag `name`, or raise InvalidInput if it is too long or has no letter or digit."""
    if len(name.strip()) > MAX_NAME:
        raise InvalidInput(f"A tag can be at most {MAX_NAME} characters long.", field="tags")
    slug = slugify(name)
    if name.strip() and not slug:
        raise InvalidInput(f"The tag {name.strip()!r} needs at least one letter or digit.", field="tags")
    return slug


def _find(wanted: Mapping[str, str]) -> dict[str, Tag]:
    """The existing tags of these names (slug -> name), by slug: the tag with the slug, else the one with the name
    in other letter case. One query."""
    if not wanted:
        return {}
    lowered = {name.lower() for name in wanted.values()}
    found = list(db.session.scalars(select(Tag).where(Tag.slug.in_(wanted) | func.lower(Tag.name).in_(lowered))))
    by_slug = {tag.slug: tag for tag in found}
    by_name = {tag.name.lower(): tag for tag in found}
    return {slug: tag for slug, name in wanted.items()
            if (tag := by_slug.get(slug) or by_name.get(name.lower())) is not None}


def _create(slug: str, name: str) -> Tag:
    tag = Tag(slug=slug, name=name)
    db.session.add(tag)
    db.session.flush()
    return tag


def parse(text: str) -> list[str]:
    """Split what a person typed into a tags field ("grief, mother daughter") into names."""
    return [name.strip() for name in text.split(",") if name.strip()]


def rename(tag: Tag, name: str) -> Tag:
    """Give `tag` a new name and slug; its old addresses (page and feeds) answer 301 to the new ones."""
    name = " ".join(name.split())
    if not name:
        raise InvalidInput("Give the tag a name.", field="name")
    slug = check_name(name)
    other = _find({slug: name}).get(slug)
    if other is not None and other is not tag:
        raise InvalidInput(f"There is already a tag “{other.name}”; merge into it instead.", field="name")
    if slug != tag.slug:
        _redirect_addresses(tag.slug, slug)
    tag.name, tag.slug = name, slug
    db.session.flush()
    return tag


def merge(source: Tag, target: Tag) -> Tag:
    """Move every article of `source` to `target` and remove `source`; its addresses answer 301 to `target`'s."""
    if source is target:
        raise InvalidInput("Choose two different tags to merge.", field="target")
    for article in list(source.articles):
        if target not in article.tags:
            article.tags.append(target)
        article.tags.remove(source)
    _redirect_addresses(source.slug, target.slug)
    db.session.delete(source)
    db.session.flush()
    return target


def _redirect_addresses(old_slug: str, new_slug: str) -> None:
    for suffix in ("", "/feed.xml", "/feed.atom"):
        redirects.add(redirects.TAG_PATH.format(slug=old_slug) + suffix,
                      redirects.TAG_PATH.format(slug=new_slug) + suffix)
