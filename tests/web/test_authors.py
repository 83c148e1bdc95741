"""Each article names its own author (byline, author box, feeds, JSON-LD); each user edits their own profile;
the site's time zone is chosen by city and its change confirmed."""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, datetime, timedelta

from PIL import Image

from cms.core.workflow import Status
from cms.extensions import db
from cms.models import Article, User
from cms.services import site, uploads, users
from tests.conftest import csrf_token


def _png() -> bytes:
    output = io.BytesIO()
    Image.new("RGB", (900, 900), "teal").save(output, format="PNG")
    return output.getvalue()


def _guest_with_profile(app, make, *, bio: str = "Jess writes on grief.") -> int:
    make.user("author", email="jess@example.com")
    with app.app_context():
        guest = users.find_by_email("jess@example.com")
        photo = uploads.save(io.BytesIO(_png()), by=guest, now=datetime.now(UTC), filename="jess.png", alt="Jess",
                             max_bytes=10**7, max_pixels=10**7, max_animation_pixels=10**7)
        users.update_profile(guest, name="Jess Park", credentials="LCSW", bio=bio, photo_id=photo.id)
        settings = site.settings()
        settings.author_name, settings.author_bio = "Dr. Maya Ellison", "Maya writes."
        db.session.commit()
        return guest.id


def test_a_guest_authors_article_names_the_guest_everywhere(app, client, make):
    _guest_with_profile(app, make)
    make.article("On grief", author_email="jess@example.com")
    page = client.get("/articles/on-grief").get_data(as_text=True)
    assert re.search(r'class="byline">By <span class="author-byline">Jess Park</span>', page)
    box = page[page.index('<aside class="author"'):page.index("</aside>")]
    assert "Jess Park, <span class=\"credentials\">LCSW</span>" in box and "Jess writes on grief." in box
    assert "Maya" not in box and "srcset=" in box and "/uploads/" in box
    posting = json.loads(re.search(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', page, re.S)[1])
    author = (posting[0] if isinstance(posting, list) else posting)["author"]
    assert author["name"] == "Jess Park" and author["image"].startswith("http://127.0.0.1:5000/uploads/")
    rss = client.get("/feed.xml").get_data(as_text=True)
    assert "<dc:creator>Jess Park</dc:creator>" in rss
    atom = client.get("/feed.atom").get_data(as_text=True)
    assert re.search(r"<entry>.*<author>\s*<name>Jess Park</name>", atom, re.S)


def test_an_author_without_a_bio_gets_the_site_authors_box_and_keeps_the_byline(app, client, make):
    _guest_with_profile(app, make, bio="")
    make.article("On grief", author_email="jess@example.com")
    page = client.get("/articles/on-grief").get_data(as_text=True)
    assert "By <span class=\"author-byline\">Jess Park</span>" in page
    box = page[page.index('<aside class="author"'):page.index("</aside>")]
    assert "Dr. Maya Ellison" in box and "Maya writes." in box and "/uploads/" not in box  # not Jess's photo


def test_everyone_edits_their_own_profile_and_uploads_a_photo(app, client, auth):
    auth.login("author")
    token = csrf_token(client, "/admin/profile/")
    response = client.post("/admin/profile/", data={
        "name": "Jess  Park", "credentials": "LCSW", "bio": "Twenty years.", "photo": "",
        "upload": (io.BytesIO(_png()), "me.png"), "csrf_token": token}, content_type="multipart/form-data")
    assert response.status_code == 302
    assert "Your profile is saved." in client.get("/admin/profile/").get_data(as_text=True)
    with app.app_context():
        me = users.find_by_email("author@example.com")
        assert (me.name, me.credentials, me.bio, me.photo.alt) == ("Jess Park", "LCSW", "Twenty years.", "Jess Park")


def test_a_profile_refuses_someone_elses_photo_and_an_overlong_bio(app, client, auth, make):
    other = _guest_with_profile(app, make)
    with app.app_context():
        photo_id = db.session.get(User, other).photo.id
    auth.login("author")
    url = "/admin/profile/"
    refused = client.post(url, data={"name": "Me", "credentials": "", "bio": "", "photo": str(photo_id),
                                     "csrf_token": csrf_token(client, url)})
    assert refused.status_code == 403
    too_long = client.post(url, data={"name": "Me", "credentials": "", "bio": "b" * 5001, "photo": "",
                                      "csrf_token": csrf_token(client, url)})
    assert too_long.status_code == 422
    assert "A bio can be at most 5,000 characters long." in too_long.get_data(as_text=True)
    with app.app_context():
        assert users.find_by_email("author@example.com").name == "Author"


def test_changing_the_time_zone_lists_what_moves_and_keeps_the_clock_time_by_default(app, client, auth, make):
    soon = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)
    article_id = make.article("Scheduled", status=Status.SCHEDULED, publish_at=soon)
    auth.login("admin")
    url = "/admin/settings/time-zone"
    form = client.get(url).get_data(as_text=True)
    assert '<datalist id="zone-choices">' in form and "New York (America/New_York, UTC" in form
    asked = client.post(url, data={"zone": "Berlin", "csrf_token": csrf_token(client, url)})
    page = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "Move the site to Berlin (Europe/Berlin" in page
    assert "<td>Scheduled</td>" in page and 'value="wall" checked' in page
    done = client.post(url, data={"zone": "Europe/Berlin", "confirm": "yes", "keep": "wall",
                                  "csrf_token": csrf_token(client, url)})
    assert done.status_code == 302
    with app.app_context():
        assert site.settings().timezone == "Europe/Berlin"
        moved = db.session.get(Article, article_id).publish_at
        berlin, new_york = site_zone("Europe/Berlin"), site_zone("America/New_York")
        assert moved.astimezone(berlin).time() == soon.astimezone(new_york).time()


def test_an_unknown_time_zone_is_refused_in_one_sentence(app, client, auth):
    auth.login("admin")
    url = "/admin/settings/time-zone"
    refused = client.post(url, data={"zone": "Mars/Olympus", "csrf_token": csrf_token(client, url)})
    assert refused.status_code == 422
    assert "“Mars/Olympus” is not a time zone; choose a city from the list" in refused.get_data(as_text=True)
    with app.app_context():
        assert site.settings().timezone is None


def site_zone(name: str):
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)
