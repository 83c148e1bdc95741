"""What readers see. Every view asks `reader` for live content at this request's time."""

from flask import Blueprint, abort, render_template
from flask.typing import ResponseReturnValue

from cms.core import clock
from cms.services import reader
from cms.web.caching import public

bp = Blueprint("public", __name__)


@bp.get("/")
@public
def home() -> ResponseReturnValue:
    now = clock.now()
    return render_template("public/home.html", articles=reader.latest(now),
                           series_list=reader.series_with_live_parts(now))


@bp.get("/articles/<slug>")
@public
def article(slug: str) -> ResponseReturnValue:
    found = reader.article(slug, clock.now()) or abort(404)
    return render_template("public/article.html", article=found)


@bp.get("/<slug>")
@public
def page(slug: str) -> ResponseReturnValue:
    found = reader.page(slug) or abort(404)
    return render_template("public/page.html", page=found)
