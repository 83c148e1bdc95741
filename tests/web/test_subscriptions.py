"""Email subscriptions as readers and subscribers meet them, against a real SMTP server in this process."""

from __future__ import annotations

import csv
import io
import shutil
import ssl
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from cms.core import clock
from cms.core.subscriptions import OutboxStatus, SubscriberStatus
from cms.core.workflow import Status
from cms.extensions import db
from cms.models import OutboxEmail, Subscriber, Subscription
from cms.services import subscriptions
from cms.worker import Worker
from tests.conftest import csrf_token
from tests.mail import link, publish, subscribers, text_of, worker
from tests.mail_server import smtp_server


@pytest.fixture
def inbox():
    with smtp_server() as server:
        yield server


def _subscribe(client, email: str, topic: str = "site"):
    return client.post("/subscribe", data={"email": email, "topic": topic})


def _subscriber(app, email: str) -> Subscriber | None:
    with app.app_context():
        found = db.session.scalar(select(Subscriber).where(Subscriber.email == email))
        if found is not None:
            found.topics = sorted(subscription.topic for subscription in found.subscriptions)
            db.session.expunge(found)
        return found


def test_double_opt_in_sends_nothing_before_the_link_is_confirmed(app, client, make, inbox):
    draft = make.article("Letting Go of Resentment", status=Status.DRAFT, body_source="Resentment *holds*.")
    response = _subscribe(client, "Reader@Example.com")
    assert response.status_code == 200
    assert "we have sent it a link" in response.get_data(as_text=True)

    worker(app, inbox).run(once=True)
    assert [message["Subject"] for message in inbox.to("reader@example.com")] == [
        "Confirm your subscription to My practice"]
    publish(app, draft)
    worker(app, inbox).run(once=True)
    assert len(inbox.to("reader@example.com")) == 1, "an article went to an address not confirmed yet"

    confirm = link(text_of(inbox.messages[0]), "confirm")
    assert "Confirm my subscription" in client.get(confirm).get_data(as_text=True)  # a GET only asks
    assert _subscriber(app, "reader@example.com").status is SubscriberStatus.PENDING
    confirmed = client.post(confirm, data={"csrf_token": csrf_token(client, confirm)})
    assert "You are subscribed" in confirmed.get_data(as_text=True)
    assert _subscriber(app, "reader@example.com").status is SubscriberStatus.CONFIRMED

    second = make.article("Ambivalence", status=Status.DRAFT, body_source="Both at once.")
    publish(app, second)
    worker(app, inbox).run(once=True)
    assert [message["Subject"] for message in inbox.to("reader@example.com")][1:] == ["Ambivalence"]


def test_a_subscriber_of_the_site_and_the_series_gets_one_email_for_a_part(app, make, inbox):
    series_id = make.series("Mother–Daughter Relationships")
    for title in ("Life Stages", "Ambivalence"):
        make.article(title, series_id=series_id)
    part = make.article("Letting Go of Resentment", status=Status.DRAFT, series_id=series_id, tags=("resentment",),
                        body_source="Resentment *holds* on.", summary="Why it lingers.")
    with app.app_context():
        subscriber = subscriptions.ask("both@example.com", subscriptions.Topic("site"), now=clock.now())
        subscriptions.confirm(subscriber, subscriptions.Topic("site"), now=clock.now())
        subscriptions.confirm(subscriber, subscriptions.Topic("series", series_id), now=clock.now())
        db.session.commit()
    subscribers(app, 2, topic=f"series:{series_id}", series_id=series_id, prefix="series-only")
    worker(app, inbox).run(once=True)  # the confirmation; email starts here
    inbox.messages.clear()

    publish(app, part)
    worker(app, inbox).run(once=True)

    assert len(inbox.to("both@example.com")) == 1
    assert sorted(message["To"] for message in inbox.messages) == [
        "both@example.com", "series-only0@example.com", "series-only1@example.com"]
    message = inbox.to("both@example.com")[0]
    text = text_of(message)
    assert "Part 3 of 3 in the series “Mother–Daughter Relationships”" in text
    assert "Resentment *holds* on." in text  # the whole article, by default
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "<em>holds</em>" in html and "Part 3 of 3" in html
    assert message["Subject"] == "Letting Go of Resentment"
    assert message["List-Unsubscribe"].startswith("<http://127.0.0.1:5000/subscriptions/unsubscribe/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Message-ID"] and message["Date"]
    assert link(text, "manage")


def test_a_scheduled_article_goes_out_once_its_time_passes_with_no_web_request(app, make, inbox):
    subscribers(app, 3)
    moment = [clock.now()]
    sender = worker(app, inbox, now=lambda: moment[0])
    sender.run(once=True)
    article = make.article("Grief Has No Timeline", status=Status.DRAFT, body_source="Grief.")
    publish(app, article, now=moment[0], at=moment[0] + timedelta(hours=1))

    sender.run(once=True)
    assert inbox.messages == []  # not before its time
    moment[0] += timedelta(hours=1, seconds=1)
    sender.run(once=True)
    assert sorted(inbox.recipients) == [f"reader{number}@example.com" for number in range(3)]
    sender.run(once=True)
    assert len(inbox.messages) == 3  # once


def test_one_click_unsubscribe_works_without_a_session_or_token_and_nothing_else_does(app, make, inbox):
    subscribers(app, 1)
    worker(app, inbox).run(once=True)
    publish(app, make.article("Holiday Boundaries", status=Status.DRAFT))
    worker(app, inbox).run(once=True)
    unsubscribe = inbox.messages[0]["List-Unsubscribe"].strip("<>").removeprefix("http://127.0.0.1:5000")
    manage = link(text_of(inbox.messages[0]), "manage")
    stranger = app.test_client()  # no cookies: what a mail program sends

    assert "Stop every email" in stranger.get(unsubscribe).get_data(as_text=True)
    assert stranger.head(unsubscribe).status_code == 200
    assert stranger.post(manage, data={"topic": []}).status_code == 400  # the manage page needs its CSRF token
    altered = unsubscribe[:-2] + ("AA" if not unsubscribe.endswith("AA") else "BB")
    refused = stranger.post(altered, data={"List-Unsubscribe": "One-Click"})
    assert refused.status_code == 400 and "changed on the way" in refused.get_data(as_text=True)
    assert _subscriber(app, "reader0@example.com").status is SubscriberStatus.CONFIRMED

    done = stranger.post(unsubscribe, data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and "You are unsubscribed" in done.get_data(as_text=True)
    assert _subscriber(app, "reader0@example.com").topics == []
    again = stranger.post(unsubscribe, data={"List-Unsubscribe": "One-Click"})
    assert "already unsubscribed" in again.get_data(as_text=True)
    publish(app, make.article("Anticipatory Grief", status=Status.DRAFT))
    worker(app, inbox).run(once=True)
    assert len(inbox.messages) == 1


def test_the_form_answers_alike_for_new_pending_and_confirmed_addresses(app, client):
    subscribers(app, 1, prefix="known")
    answers = {_subscribe(client, email).get_data(as_text=True)
               for email in ("new@example.com", "new@example.com", "known0@example.com")}
    assert len(answers) == 1
    with app.app_context():
        waiting = db.session.scalars(select(OutboxEmail.subscriber_id)).all()
    assert len(waiting) == 1  # one confirmation for the new address; none again while it waits, none for known0


@pytest.mark.parametrize("email", ["not an address", "a@b", "someone@@example.com", "x" * 250 + "@example.com",
                                   "tab\there@example.com", ""])
def test_a_malformed_address_is_refused_in_one_sentence_and_changes_nothing(app, client, email):
    response = _subscribe(client, email)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "That is not an email address; check it and try again." in page or "Enter your email address." in page
    with app.app_context():
        assert db.session.scalars(select(Subscriber)).all() == []


def test_subscribing_is_rate_limited(app, client):
    app.config["SUBSCRIBE_LIMIT_PER_ADDRESS"] = "2 per hour"
    from cms.web import subscriptions as views

    views.limit_requests(app)
    assert _subscribe(client, "one@example.com").status_code == 200
    assert _subscribe(client, "two@example.com").status_code == 200
    limited = _subscribe(client, "three@example.com")
    assert limited.status_code == 429 and "Too many requests" in limited.get_data(as_text=True)
    assert _subscriber(app, "three@example.com") is None


def _confirmation_link(app, client, inbox, email: str, topic: str = "site") -> str:
    _subscribe(client, email, topic)
    worker(app, inbox).run(once=True)
    return link(text_of(inbox.to(email)[-1]), "confirm")


def test_a_reused_confirmation_link_says_so_and_changes_nothing(app, client, inbox):
    confirm = _confirmation_link(app, client, inbox, "reader@example.com")
    client.post(confirm, data={"csrf_token": csrf_token(client, confirm)})
    again = client.get(confirm)
    assert again.status_code == 200 and "already subscribed to every new article" in again.get_data(as_text=True)

    unsubscribe = link(_manage_page_links(app, "reader@example.com"), "unsubscribe")
    client.post(unsubscribe)
    stale = client.get(confirm)
    assert stale.status_code == 400 and "no longer works" in stale.get_data(as_text=True)
    assert _subscriber(app, "reader@example.com").topics == []


def _manage_page_links(app, email: str) -> str:
    with app.app_context():
        subscriber = db.session.scalar(select(Subscriber).where(Subscriber.email == email))
        token = subscriptions.unsubscribe_token(app.config["SECRET_KEY"], subscriber)
    return f"http://127.0.0.1:5000/subscriptions/unsubscribe/{token}"


def test_an_expired_or_altered_confirmation_link_says_so_and_changes_nothing(app, client, inbox, monkeypatch):
    confirm = _confirmation_link(app, client, inbox, "reader@example.com")
    altered = client.get(confirm.replace("confirm/", "confirm/x"))
    assert altered.status_code == 400 and "changed on the way" in altered.get_data(as_text=True)
    later = clock.now() + timedelta(days=subscriptions.CONFIRM_DAYS, minutes=1)
    monkeypatch.setattr(clock, "now", lambda: later)
    expired = client.get(confirm)
    assert expired.status_code == 400 and "has expired" in expired.get_data(as_text=True)
    assert _subscriber(app, "reader@example.com").status is SubscriberStatus.PENDING


def test_a_subscriber_changes_subscriptions_from_the_signed_link(app, client, make, inbox):
    series_id = make.series("Grief")
    make.article("Grief Has No Timeline", series_id=series_id)
    subscribers(app, 1)
    worker(app, inbox).run(once=True)
    publish(app, make.article("Fees and Boundaries", status=Status.DRAFT))
    worker(app, inbox).run(once=True)
    manage = link(text_of(inbox.messages[0]), "manage")
    page = client.get(manage).get_data(as_text=True)
    assert "The next parts of “Grief”" in page and 'value="site" checked' in page
    client.post(manage, data={"topic": ["series:grief"], "csrf_token": csrf_token(client, manage)})
    assert _subscriber(app, "reader0@example.com").topics == [f"series:{series_id}"]


def test_a_temporary_failure_is_tried_again_later_and_a_permanent_one_bounces_the_address(app, make, inbox):
    subscribers(app, 2)
    moment = [clock.now()]
    sender = worker(app, inbox, now=lambda: moment[0])
    sender.run(once=True)
    inbox.refuse = {"reader0@example.com": "451 Greylisted, try later", "reader1@example.com": "550 No such user"}
    publish(app, make.article("Understanding Anxiety", status=Status.DRAFT), now=moment[0])
    sender.run(once=True)
    assert inbox.messages == []
    with app.app_context():
        rows = {row.subscriber.email: (row.status, row.attempts, row.error)
                for row in db.session.scalars(select(OutboxEmail))}
    assert rows["reader0@example.com"][:2] == (OutboxStatus.PENDING, 1)
    assert rows["reader1@example.com"] == (OutboxStatus.FAILED, 1, "550 No such user")
    assert _subscriber(app, "reader1@example.com").status is SubscriberStatus.BOUNCED

    inbox.refuse = {}
    sender.run(once=True)
    assert inbox.messages == []  # not before the backoff
    moment[0] += timedelta(minutes=1, seconds=1)
    sender.run(once=True)
    assert [message["To"] for message in inbox.messages] == ["reader0@example.com"]
    publish(app, make.article("Anxiety in the Body", status=Status.DRAFT), now=moment[0])
    sender.run(once=True)
    assert inbox.recipients["reader1@example.com"] == 0  # a bounced address gets nothing more


def test_the_summary_setting_sends_the_summary_and_a_link(app, make, inbox):
    subscribers(app, 1)
    with app.app_context():
        from cms.services import site

        site.settings().is_email_full_text = False
        db.session.commit()
    worker(app, inbox).run(once=True)
    publish(app, make.article("Choosing a Therapist", status=Status.DRAFT, summary="What to ask first.",
                              body_source="A long *body*."))
    worker(app, inbox).run(once=True)
    text = text_of(inbox.messages[0])
    assert "What to ask first." in text and "A long" not in text
    assert "http://127.0.0.1:5000/articles/choosing-a-therapist" in text


def test_without_smtp_url_emails_are_written_as_eml_files(app, make, tmp_path):
    app.config["MAIL_FOLDER"] = str(tmp_path / "outbox")
    subscribers(app, 2)
    Worker(app).run(once=True)
    publish(app, make.article("Fees", status=Status.DRAFT))
    Worker(app).run(once=True)
    files = sorted((tmp_path / "outbox").glob("*.eml"))
    assert len(files) == 2 and b"Subject: Fees" in files[0].read_bytes()


def test_emails_are_dkim_signed_when_a_key_is_configured(app, make, inbox, tmp_path):
    dkim = pytest.importorskip("dkim")
    openssl = shutil.which("openssl") or pytest.skip("openssl makes the test's key; it is not installed")
    key = tmp_path / "dkim.pem"
    subprocess.run([openssl, "genrsa", "-traditional", "-out", str(key), "1024"], check=True, capture_output=True)
    public = subprocess.run([openssl, "rsa", "-in", str(key), "-pubout", "-outform", "DER"], check=True,
                            capture_output=True).stdout
    app.config.update(DKIM_KEY_FILE=str(key), MAIL_FROM="Jane <jane@example.org>")
    subscribers(app, 1)
    worker(app, inbox).run(once=True)
    publish(app, make.article("Signed", status=Status.DRAFT))
    worker(app, inbox).run(once=True)
    import base64

    record = b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)
    raw = inbox.raw[0]
    assert b"list-unsubscribe-post" in raw.split(b"\r\n\r\n")[0].lower()
    assert dkim.verify(raw, dnsfunc=lambda name, timeout=5: record if name == b"cms._domainkey.example.org." else None)


def test_an_admin_sees_counts_progress_and_exports_exactly_the_confirmed_and_pending(app, client, auth, make,
                                                                                    inbox):
    series_id = make.series("Grief")
    make.article("Grief Has No Timeline", series_id=series_id)
    subscribers(app, 2, prefix="confirmed")
    subscribers(app, 1, topic=f"series:{series_id}", series_id=series_id, prefix="follower")
    _subscribe(client, "pending@example.com")
    with app.app_context():
        for email, status in (("gone@example.com", SubscriberStatus.UNSUBSCRIBED),
                              ("bounced@example.com", SubscriberStatus.BOUNCED)):
            db.session.add(Subscriber(email=email, status=status, created_at=clock.now()))
        db.session.commit()
    inbox.refuse = {"confirmed1@example.com": "550 No such user"}
    worker(app, inbox).run(once=True)
    publish(app, make.article("Anticipatory Grief", status=Status.DRAFT))
    worker(app, inbox).run(once=True)

    auth.login("admin")
    page = client.get("/admin/subscribers/").get_data(as_text=True)
    assert "sent 1 of 2, 1 failed" in page
    assert "Series: Grief</td><td>1</td>" in page
    export = client.get("/admin/subscribers/export.csv")
    rows = list(csv.reader(io.StringIO(export.get_data(as_text=True))))
    assert rows[0][:2] == ["email", "status"]
    assert sorted((row[0], row[1]) for row in rows[1:]) == [
        ("confirmed0@example.com", "confirmed"), ("follower0@example.com", "confirmed"),
        ("pending@example.com", "pending")]  # not the bounced confirmed1, not gone@, not bounced@


def test_an_admin_deletes_a_subscriber_completely(app, client, auth, make, inbox):
    subscribers(app, 1)
    worker(app, inbox).run(once=True)
    publish(app, make.article("Fees", status=Status.DRAFT))
    worker(app, inbox).run(once=True)
    auth.login("admin")
    ident = _subscriber(app, "reader0@example.com").id
    response = client.post(f"/admin/subscribers/{ident}/delete",
                           data={"csrf_token": csrf_token(client, "/admin/subscribers/")}, follow_redirects=True)
    assert "Deleted reader0@example.com" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(Subscriber)).all() == []
        assert db.session.scalars(select(Subscription)).all() == []
        assert db.session.scalars(select(OutboxEmail)).all() == []


@pytest.mark.parametrize("role", ["author", "editor"])
def test_authors_and_editors_get_403_on_every_subscriber_screen(client, auth, role):
    auth.login(role)
    token = csrf_token(client, "/admin/")
    assert client.get("/admin/subscribers/").status_code == 403
    assert client.get("/admin/subscribers/export.csv").status_code == 403
    assert client.post("/admin/subscribers/1/delete", data={"csrf_token": token}).status_code == 403


@pytest.mark.parametrize("path", ["/", "/articles/grief", "/series/grief", "/tags/grief"])
def test_the_subscribe_form_is_on_home_articles_series_and_tags(client, make, path):
    make.article("Grief", series_id=make.series("Grief"), tags=("grief",))
    page = client.get(path).get_data(as_text=True)
    assert 'action="/subscribe"' in page
    if path == "/articles/grief":
        assert 'value="series:grief" checked> Email me when the next part is out' in page


def test_a_second_worker_on_sqlite_is_refused(app, inbox):
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("PostgreSQL runs several workers; tests/services/test_mail_worker.py shows them")
    from cms.worker import WorkerRefused, _only_worker_on_sqlite

    with _only_worker_on_sqlite(app), pytest.raises(WorkerRefused, match="SQLite runs one"):
        Worker(app, worker(app, inbox).transport).run(once=True)
    assert Path(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///") + ".worker-lock").exists()


@pytest.fixture
def certificate(tmp_path, monkeypatch):
    """A self-signed certificate for 127.0.0.1, trusted by this process's TLS clients (SSL_CERT_FILE)."""
    openssl = shutil.which("openssl") or pytest.skip("openssl makes the test's certificate; it is not installed")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


def _password(server, session, envelope, mechanism, credentials):
    from aiosmtpd.smtp import AuthResult

    # handled=False: the server itself answers a refusal with 535 (the default leaves the client waiting)
    return AuthResult(success=(credentials.login, credentials.password) == (b"site", b"s3cret pass"), handled=False)


@pytest.mark.parametrize("scheme", ["smtp", "smtps"])
@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")  # smtps: TLS from the start
def test_smtp_url_sends_over_tls_with_a_user_and_password(app, make, certificate, scheme):
    # aiosmtpd cannot tell a connection that began in TLS from plain text, so it is told AUTH may go ahead.
    tls = {"tls_context": certificate, "require_starttls": True} if scheme == "smtp" else {
        "ssl_context": certificate, "auth_require_tls": False}
    with smtp_server(authenticator=_password, auth_required=True, **tls) as inbox:
        app.config["SMTP_URL"] = f"{scheme}://site:s3cret%20pass@127.0.0.1:{inbox.port}"
        subscribers(app, 1)
        Worker(app).run(once=True)
        publish(app, make.article("Over TLS", status=Status.DRAFT))
        Worker(app).run(once=True)
    with app.app_context():
        errors = db.session.scalars(select(OutboxEmail.error)).all()
    assert [message["Subject"] for message in inbox.messages] == ["Over TLS"], errors


def test_a_wrong_smtp_password_bounces_nobody(app, make, certificate):
    with smtp_server(authenticator=_password, auth_required=True, tls_context=certificate) as inbox:
        app.config["SMTP_URL"] = f"smtp://site:wrong@127.0.0.1:{inbox.port}"
        subscribers(app, 1)
        Worker(app).run(once=True)
        publish(app, make.article("Refused", status=Status.DRAFT))
        Worker(app).run(once=True)
    assert inbox.messages == []
    assert _subscriber(app, "reader0@example.com").status is SubscriberStatus.CONFIRMED
    with app.app_context():
        row = db.session.scalar(select(OutboxEmail))
    assert (row.status, row.attempts) == (OutboxStatus.PENDING, 1)  # tried again later
