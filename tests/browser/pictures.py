"""Pictures for the sample site, as an author would add them: featured images on some articles (not all, so
cards without one are seen too) and the author's photo. Made with Pillow, so no image files are committed."""

from __future__ import annotations

import functools
import io

from flask import Flask
from PIL import Image, ImageDraw, ImageFilter
from sqlalchemy import select

from cms.core import clock
from cms.extensions import db
from cms.models import Article, User
from cms.services import demo, uploads, users

#: Demo articles given a featured image: (slug, hue, description).
FEATURED = (("life-stages", (196, 170, 140), "Two cups of tea on a wooden table by a window"),
            ("ambivalence", (150, 175, 180), "A path dividing in a quiet park"),
            ("understanding-anxiety", (170, 185, 160), "Morning light over a still lake"),
            ("grief-has-no-timeline", (185, 165, 175), "An empty bench under a tree in autumn"))
LIMITS = {"max_bytes": 10**7, "max_pixels": 10**8, "max_animation_pixels": 10**8}


@functools.cache  # the same bytes for the same picture; made once a process, not once a site
def calm_picture(size: tuple[int, int], colour: tuple[int, int, int], *, is_portrait: bool = False) -> bytes:
    """A soft, photograph-like JPEG: a gradient with blurred shapes in muted colours."""
    width, height = size
    image = Image.new("RGB", size, colour)
    draw = ImageDraw.Draw(image)
    for y in range(height):
        shade = tuple(max(0, min(255, channel + 60 - y * 110 // height)) for channel in colour)
        draw.line([(0, y), (width, y)], fill=shade)
    if is_portrait:
        draw.ellipse([width * 3 // 10, height // 5, width * 7 // 10, height * 3 // 5], fill=(214, 180, 160))
        draw.ellipse([width // 6, height * 11 // 20, width * 5 // 6, height * 3 // 2], fill=(70, 90, 100))
    else:
        draw.ellipse([width // 8, height // 2, width * 5 // 8, height * 5 // 4], fill=tuple(c - 40 for c in colour))
        draw.ellipse([width // 2, height // 3, width, height], fill=tuple(min(255, c + 30) for c in colour))
    output = io.BytesIO()
    image.filter(ImageFilter.GaussianBlur(width // 60)).save(output, format="JPEG", quality=85)
    return output.getvalue()


def add_pictures(app: Flask) -> None:
    """Give the loaded sample site its pictures and commit."""
    with app.app_context():
        now = clock.now()
        author = db.session.scalar(select(User).where(User.email == demo.ADMIN_EMAIL))
        for slug, colour, alt in FEATURED:
            stored = uploads.save(io.BytesIO(calm_picture((1600, 1000), colour)), by=author, now=now,
                                  filename=f"{slug}.jpg", alt=alt, **LIMITS)
            article = db.session.scalar(select(Article).where(Article.slug == slug))
            article.featured_media_id = stored.id
        photo = uploads.save(io.BytesIO(calm_picture((800, 800), (200, 205, 200), is_portrait=True)), by=author,
                             now=now, filename="maya.jpg", alt="Dr. Maya Ellison", **LIMITS)
        users.update_profile(author, name=author.name, credentials=author.credentials, bio=author.bio,
                             photo_id=photo.id)
        db.session.commit()
