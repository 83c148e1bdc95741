"""Configuration: safe defaults, then an optional instance file, then the environment."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, ClassVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from cms.core import numbers

SECRET_KEY_FILE = "secret_key"  # noqa: S105 - the name of the file that holds the key, not a key
CONFIG_FILE = "config.py"
DATABASE_FILE = "cms.sqlite"


class ConfigError(click.ClickException):
    """Bad configuration; click prints its one sentence instead of a traceback."""


class Defaults:
    SITE_URL = "http://127.0.0.1:5000"
    SITE_TIMEZONE = "America/New_York"  # the author's practice; never UTC by surprise
    SQLALCHEMY_ENGINE_OPTIONS: ClassVar[dict[str, Any]] = {}  # copied, never mutated
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None  # a long writing session must not lose its form to an expired token
    MAX_CONTENT_LENGTH = 32 * 1024 * 1024
    SQLITE_BUSY_TIMEOUT_MS = 15_000
    PROXY_FIX = 0  # how many reverse proxies stand in front of the app; their X-Forwarded-For/-Proto are trusted
    PROXY_FIX_HOST = 0  # how many of them set X-Forwarded-Host; 0 ignores it (links come from SITE_URL anyway)
    PROXY_FIX_PREFIX = 0  # how many of them set X-Forwarded-Prefix; 0 ignores it
    RATELIMIT_STORAGE_URI = "memory://"  # per process; redis://host:6379 shares the counts between workers
    RATELIMIT_KEY_PREFIX = "cms"  # sets apart the counts of sites sharing one Redis
    LOGIN_LIMIT_PER_ACCOUNT = "10 per 15 minutes"  # failed sign-ins for one email from one address: never a lockout
    LOGIN_LIMIT_PER_ADDRESS = "30 per 15 minutes"  # failed sign-ins from one address, whatever the email
    UPLOAD_MAX_BYTES = 10 * 1024 * 1024
    UPLOAD_MAX_PIXELS = 50_000_000  # one frame: a 50-megapixel photo
    UPLOAD_MAX_ANIMATION_PIXELS = 8_000_000  # all frames of an animation together; each is encoded again
    # An audio or video file is kept in the database and in every backup, and read whole to serve each request
    # (a player's seek is one): a 45-minute talk fits, a long film belongs on a video host.
    UPLOAD_MAX_AUDIO_VIDEO_BYTES = 50 * 1024 * 1024
    CACHE_URL = None  # redis://host:6379/1 shares rendered pages between servers; unset: each process keeps its own
    PAGE_CACHE_BYTES = 64 * 1024 * 1024  # the in-process cache's size; 0 turns page caching off
    WEBSUB_HUB = None  # a WebSub hub URL: feeds advertise it and it is pinged when the live set changes
    DB_POOL_SIZE = 4  # PostgreSQL connections each worker keeps open; see "Connections" in the README
    DB_MAX_OVERFLOW = 4  # more it may open under load and closes after; pool + overflow = threads per worker
    DB_CONNECT_TIMEOUT = 5  # seconds to reach PostgreSQL before a start or a request gives up
    SMTP_URL = None  # smtp://user:password@host:587 (STARTTLS) or smtps://…:465; unset: .eml files in instance/outbox
    MAIL_FROM = None  # "Dr Jane Doe <jane@example.org>"; unset: noreply@ the SITE_URL's host
    MAIL_RATE_PER_MINUTE = 600  # emails a minute at most (all workers together when RATELIMIT_STORAGE_URI is Redis)
    MAIL_POLL_SECONDS = 5  # how often the worker looks for articles published with "Publish now"
    DKIM_KEY_FILE = None  # a PEM private key: emails are DKIM-signed with it
    DKIM_SELECTOR = "cms"  # the DNS record is <selector>._domainkey.<domain>
    DKIM_DOMAIN = None  # unset: MAIL_FROM's domain
    SUBSCRIBE_LIMIT_PER_EMAIL = "3 per hour"  # subscribe requests for one address from one client address
    SUBSCRIBE_LIMIT_PER_ADDRESS = "20 per hour"  # subscribe requests from one client address, whatever the email
    # Werkzeug's method; the tests alone use a one-round pbkdf2 to save 0.2 s a hash.
    PASSWORD_HASH_METHOD = "scrypt"  # noqa: S105 - a method's name, not a password


def _text(name: str, value: str) -> str:
    return value


def _whole(example: str) -> Callable[[str, str], int]:
    """A reader of a whole number, refusing anything else in one sentence that shows `example`."""

    def read(name: str, value: str) -> int:
        number = numbers.whole(value)
        if number is None:
            raise ConfigError(f"{name} {value!r} must be {example}.")
        return number

    return read


#: Every setting an administrator may give in the environment, with how its text is read. The README's
#: Configuration table lists exactly these, plus INSTANCE_PATH (tests/services/test_readme_settings.py checks both
#: ways). DATABASE_URL becomes SQLALCHEMY_DATABASE_URI; the others keep their names.
ENVIRONMENT: Mapping[str, Callable[[str, str], Any]] = {
    "SECRET_KEY": _text,
    "DATABASE_URL": _text,
    "SITE_URL": _text,
    "SITE_TIMEZONE": _text,
    "CACHE_URL": _text,
    "PAGE_CACHE_BYTES": _whole("a number of bytes, e.g. 67108864 (0 turns page caching off)"),
    "RATELIMIT_STORAGE_URI": _text,
    "PROXY_FIX": _whole("the number of proxies, e.g. 1"),
    "PROXY_FIX_HOST": _whole("the number of proxies, e.g. 1"),
    "PROXY_FIX_PREFIX": _whole("the number of proxies, e.g. 1"),
    "WEBSUB_HUB": _text,
    "DB_POOL_SIZE": _whole("a whole number, e.g. 4"),
    "DB_MAX_OVERFLOW": _whole("a whole number, e.g. 4"),
    "DB_CONNECT_TIMEOUT": _whole("a number of seconds, e.g. 5"),
    "SMTP_URL": _text,
    "MAIL_FROM": _text,
    "MAIL_RATE_PER_MINUTE": _whole("a number of emails, e.g. 60"),
    "MAIL_POLL_SECONDS": _whole("a number of seconds, e.g. 5"),
    "DKIM_KEY_FILE": _text,
    "DKIM_SELECTOR": _text,
    "DKIM_DOMAIN": _text,
    "SUBSCRIBE_LIMIT_PER_EMAIL": _text,
    "SUBSCRIBE_LIMIT_PER_ADDRESS": _text,
    "UPLOAD_MAX_BYTES": _whole("a number of bytes, e.g. 10485760"),
    "UPLOAD_MAX_PIXELS": _whole("a number of pixels, e.g. 50000000"),
    "UPLOAD_MAX_ANIMATION_PIXELS": _whole("a number of pixels, e.g. 8000000"),
    "UPLOAD_MAX_AUDIO_VIDEO_BYTES": _whole("a number of bytes, e.g. 52428800"),
    "UPLOAD_FOLDER": _text,
}
#: Read by the app factory before any setting, since the instance folder holds the config file and the secret key.
INSTANCE_PATH = "INSTANCE_PATH"


def load(instance_path: str, environ: Mapping[str, str]) -> dict[str, Any]:
    """Return settings from the instance config file and the environment, checked."""
    instance = Path(instance_path)
    settings: dict[str, Any] = _read_instance_file(instance / CONFIG_FILE)
    for name, read in ENVIRONMENT.items():
        if environ.get(name):
            settings[name] = read(name, environ[name])
    if "DATABASE_URL" in settings:
        settings["SQLALCHEMY_DATABASE_URI"] = settings.pop("DATABASE_URL")
    if "SQLALCHEMY_DATABASE_URI" not in settings:
        instance.mkdir(parents=True, exist_ok=True)  # SQLite makes the file, not its folder
        settings["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{instance / DATABASE_FILE}"
    settings["SQLALCHEMY_DATABASE_URI"] = database_url(settings["SQLALCHEMY_DATABASE_URI"])
    settings["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(settings)
    if not settings.get("SECRET_KEY"):
        settings["SECRET_KEY"] = _kept_secret_key(instance)
    check(settings)
    return settings


def check(settings: Mapping[str, Any]) -> None:
    """Raise ConfigError, in one sentence, for a setting the app cannot run with."""
    zone = settings.get("SITE_TIMEZONE", Defaults.SITE_TIMEZONE)
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"SITE_TIMEZONE {zone!r} is not a known time zone (try e.g. 'America/New_York').") from None
    site_url = settings.get("SITE_URL", Defaults.SITE_URL)
    if not site_url.startswith(("http://", "https://")):
        raise ConfigError(f"SITE_URL {site_url!r} must start with http:// or https://.")
    if settings.get("SMTP_URL"):
        from cms.mailer import smtp_settings

        try:
            smtp_settings(settings["SMTP_URL"])
        except ValueError as error:
            raise ConfigError(str(error)) from None
    key_file = settings.get("DKIM_KEY_FILE")
    if key_file and not Path(key_file).is_file():
        raise ConfigError(f"DKIM_KEY_FILE {key_file!r} is not a file; give the path of a PEM private key.")
    hub = settings.get("WEBSUB_HUB")
    if hub and not hub.startswith(("http://", "https://")):
        raise ConfigError(f"WEBSUB_HUB {hub!r} must start with http:// or https://.")


def engine_options(settings: Mapping[str, Any]) -> dict[str, Any]:
    """SQLAlchemy's engine options: on PostgreSQL, a bounded pool and connect timeout from the settings.

    No pool_pre_ping: PostgreSQL's pooled connections are checked without a round trip (cms._configure_postgresql)
    and SQLite's cannot drop."""
    options = dict(settings.get("SQLALCHEMY_ENGINE_OPTIONS") or Defaults.SQLALCHEMY_ENGINE_OPTIONS)
    if make_url(settings["SQLALCHEMY_DATABASE_URI"]).get_backend_name() == "postgresql":
        options.setdefault("pool_size", int(settings.get("DB_POOL_SIZE", Defaults.DB_POOL_SIZE)))
        options.setdefault("max_overflow", int(settings.get("DB_MAX_OVERFLOW", Defaults.DB_MAX_OVERFLOW)))
        connect_args = dict(options.get("connect_args") or {})
        connect_args.setdefault("connect_timeout", int(settings.get("DB_CONNECT_TIMEOUT",
                                                                    Defaults.DB_CONNECT_TIMEOUT)))
        options["connect_args"] = connect_args
    return options


def database_url(url: str) -> str:
    """Return `url` with PostgreSQL pointed at psycopg 3, or raise ConfigError if it is not a database URL."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigError(f"DATABASE_URL {url!r} is not a database URL.") from None
    if parsed.drivername in ("postgres", "postgresql"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise ConfigError(f"DATABASE_URL must be a SQLite or PostgreSQL URL, not {parsed.drivername!r}.")
    return parsed.render_as_string(hide_password=False)


def _read_instance_file(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    namespace: dict[str, Any] = {}
    code = compile(path.read_text(), str(path), "exec")
    exec(code, namespace)  # noqa: S102 - the instance file is Python by design, like Flask's from_pyfile
    return {key: value for key, value in namespace.items() if key.isupper()}


def _kept_secret_key(instance: Path) -> str:
    """The key generated on first start and kept, readable by the owner only, so sessions survive restarts."""
    path = instance / SECRET_KEY_FILE
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        draft = instance / f".{SECRET_KEY_FILE}.{os.getpid()}"
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
        try:
            os.link(draft, path)  # atomic and exclusive: two workers starting at once agree on one key
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text().strip()
