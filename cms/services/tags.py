"""Tags: free labels, created the first time they are used."""

from collections.abc import Iterable

from sqlalchemy import func, select

from cms.core.errors import InvalidInput
from cms.core.slugs import slugify
from cms.extensions import db
from cms.models import Tag


def resolve(names: Iterable[str]) -> list[Tag]:
    """Return the tags named, in order and without repeats, creating the ones that do not exist yet."""
    tags: dict[str, Tag] = {}
    for raw in names:
        name = " ".join(raw.split())
        slug = slugify(name)
        if not name:
            continue
        if not slug:
            raise InvalidInput(f"The tag {name!r} needs at least one letter or digit.", field="tags")
        if slug not in tags:
            tags[slug] = _find(slug, name) or _create(slug, name)
    return list(tags.values())


def _find(slug: str, name: str) -> Tag | None:
    return db.session.scalar(select(Tag).where((Tag.slug == slug) | (func.lower(Tag.name) == name.lower())))


def _create(slug: str, name: str) -> Tag:
    tag = Tag(slug=slug, name=name)
    db.session.add(tag)
    db.session.flush()
    return tag


def parse(text: str) -> list[str]:
    """Split what a person typed into a tags field ("grief, mother daughter") into names."""
    return [name.strip() for name in text.split(",") if name.strip()]
