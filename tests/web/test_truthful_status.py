"""The back office shows the status readers see: an article whose scheduled time has passed is published."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from cms.core import clock
from cms.core.workflow import Status
from cms.models import Article
from tests.conftest import csrf_token

START = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def moment(monkeypatch):
    """A clock the test moves by hand: `moment[0]` is now for every view."""
    now = [START]
    monkeypatch.setattr(clock, "now", lambda: now[0])
    return now


def text(response) -> str:
    return response.get_data(as_text=True)


def status_line(page: str) -> str:
    line = re.search(r'<p class="status-line">(.*?)</p>', page, re.DOTALL).group(1)
    return " ".join(re.sub(r"<[^>]+>", "", line).split())


def buttons(page: str) -> list[str]:
    return re.findall(r'<button type="submit" name="action" value="[a-z]+"[^>]*>([^<]+)</button>', page)


def version(client, url: str) -> str:
    return re.search(r'name="version"[^>]*value="(\d+)"', text(client.get(url))).group(1)


def listed_statuses(page: str) -> list[str]:
    return [cell.strip() for cell in re.findall(r'<td class="col-status">(.*?)</td>', page, re.DOTALL)]


def calendar_item(page: str, title: str) -> str:
    return re.search(rf'<a class="cal-item cal-([a-z]+)"[^>]*>\s*<time[^>]*>[^<]*</time>\s*{title}(.*?)</a>', page,
                     re.DOTALL).group(0)


def test_an_article_two_seconds_ahead_turns_published_everywhere(client, auth, make, moment):
    auth.login("editor")
    article_id = make.article("Letting Go", status=Status.SCHEDULED, publish_at=START + timedelta(seconds=2),
                              author_email="editor@example.com")
    edit = f"/admin/articles/{article_id}/edit"

    page = text(client.get(edit))
    assert status_line(page).startswith("Status: Scheduled, goes live")
    assert "Public address" not in page and client.get("/articles/letting-go").status_code == 404
    assert buttons(page) == ["Save changes", "Back to draft", "Reschedule", "Publish now", "Archive"]
    assert listed_statuses(text(client.get("/admin/articles/"))) == ["scheduled"]
    dashboard = text(client.get("/admin/"))
    assert "cal-scheduled" in calendar_item(dashboard, "Letting Go") and "Scheduled</span>" in calendar_item(
        dashboard, "Letting Go")
    assert "Letting Go" in dashboard.split('id="upcoming-heading"')[1].split("</section>")[0]

    moment[0] = START + timedelta(seconds=3)

    page = text(client.get(edit))
    assert status_line(page).startswith("Status: Published, live since")
    assert "Public address" in page and client.get("/articles/letting-go").status_code == 200
    assert buttons(page) == ["Save changes", "Back to draft", "Archive"]
    assert listed_statuses(text(client.get("/admin/articles/"))) == ["published"]
    dashboard = text(client.get("/admin/"))
    item = calendar_item(dashboard, "Letting Go")
    assert "cal-published" in item and "Scheduled" not in item
    assert "Letting Go" not in dashboard.split('id="upcoming-heading"')[1].split("</section>")[0]


def test_list_filters_by_the_status_readers_see(client, auth, make, moment):
    auth.login("editor")
    make.article("Gone live", status=Status.SCHEDULED, publish_at=START - timedelta(seconds=1))
    make.article("Still ahead", status=Status.SCHEDULED, publish_at=START + timedelta(days=1))
    published = text(client.get("/admin/articles/?flt0_status_equals=published"))
    scheduled = text(client.get("/admin/articles/?flt0_status_equals=scheduled"))
    assert "Gone live" in published and "Still ahead" not in published
    assert "Still ahead" in scheduled and "Gone live" not in scheduled


def test_publish_now_on_a_live_article_keeps_its_date(app, client, auth, make, moment):
    auth.login("editor")
    live_since = START - timedelta(hours=1)
    article_id = make.article("Live already", status=Status.SCHEDULED, publish_at=live_since)
    edit = f"/admin/articles/{article_id}/edit"
    response = client.post(edit, data={"title": "Live already", "body_source": "Text.",
                                       "version": version(client, edit),
                                       "action": "published", "csrf_token": csrf_token(client, edit)})
    assert response.status_code == 302, text(response)
    article = make.get(Article, article_id)
    assert article.status is Status.PUBLISHED and article.publish_at == live_since


def test_a_live_articles_time_is_not_rescheduled_from_the_form(client, auth, make, moment):
    auth.login("editor")
    article_id = make.article("Live already", status=Status.SCHEDULED, publish_at=START - timedelta(hours=1))
    edit = f"/admin/articles/{article_id}/edit"
    response = client.post(edit, data={"title": "Live already", "body_source": "Text.",
                                       "version": version(client, edit),
                                       "publish_at": "2199-01-01T09:00", "action": "save",
                                       "csrf_token": csrf_token(client, edit)})
    assert response.status_code == 422
    assert "The publish time of a published article cannot be changed" in text(response)
    assert make.get(Article, article_id).publish_at == START - timedelta(hours=1)


def test_the_series_parts_screen_shows_a_part_past_its_time_as_published(client, auth, make, moment):
    series_id = make.series("Letting Go")
    make.article("Part one", status=Status.SCHEDULED, series_id=series_id, series_part=1,
                 publish_at=START + timedelta(seconds=2))
    auth.login("editor")
    parts = f"/admin/series/{series_id}/parts"

    def badge() -> str:
        return re.search(r'<span class="badge[^"]*">([^<]+)</span>', text(client.get(parts))).group(1)

    assert badge() == "scheduled"
    moment[0] = START + timedelta(seconds=3)
    assert badge() == "published"
