"""Accounts and sign-in."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any, cast

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from sqlalchemy import CursorResult, Delete, Select, bindparam, delete, func, select
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from cms.core import images
from cms.core.errors import InvalidInput
from cms.core.workflow import Role
from cms.extensions import db
from cms.models import Media, SiteSettings, User, UserSession, user_photos
from cms.services import media as media_service

MIN_PASSWORD_LENGTH = 10
IDLE_LIMIT = timedelta(days=14)  # a session unused this long has ended; signing in again starts a new one
SEEN_PRECISION = timedelta(minutes=5)  # "last seen" moves at most this often: not a write on every request


def normalize_email(email: str) -> str:
    """Return `email` checked and lowercased, or raise InvalidInput."""
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise InvalidInput(f"{email!r} is not an email address.", field="email") from None


def create_user(email: str, password: str, role: Role, name: str = "") -> User:
    """Add an active account; refuses a taken email or a short password."""
    email = normalize_email(email)
    if find_by_email(email) is not None:
        raise InvalidInput(f"There is already an account for {email}.", field="email")
    _check_password(password)
    user = User(email=email, name=name, role=role)
    user.password_hash = _hash(password)
    db.session.add(user)
    db.session.flush()
    return user


def find_by_email(email: str) -> User | None:
    """Return the account for `email`, whatever its case, or None."""
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def authenticate(email: str, password: str) -> User | None:
    """Return the active account whose password matches, else None, taking as long either way."""
    user = find_by_email(email)
    if user is None:
        check_password_hash(_dummy_hash(_method()), password)  # same work, so timing reveals no accounts
        return None
    matches = user.check_password(password)  # checked even for a disabled account, for the same reason
    return user if matches and user.is_active else None


def sign_in(user: User, *, user_agent: str, now: datetime) -> str:
    """Start a session for `user` in one browser and return its token, which only that browser keeps.

    The account's sessions idle past IDLE_LIMIT are cleared out on the way.
    """
    db.session.execute(delete(UserSession).where(UserSession.user_id == user.id,
                                                 UserSession.last_seen_at < now - IDLE_LIMIT))
    token = secrets.token_urlsafe(32)
    db.session.add(UserSession(user=user, token_hash=_token_hash(token), user_agent=user_agent[:300],
                               created_at=now, last_seen_at=now))
    db.session.flush()
    user.session_token = token
    return token


def find_session(token: str, now: datetime) -> UserSession | None:
    """Return the session a browser's token names, if it was not ended, not idle too long, and its account is
    active; its user then knows the token."""
    if not token:
        return None
    found = db.session.scalar(_session_by_token(), {"token_hash": _token_hash(token)})
    if found is None or not found.user.is_active or found.last_seen_at < now - IDLE_LIMIT:
        return None
    found.user.session_token = token
    return found


@cache
def _session_by_token() -> Select[UserSession]:
    """Built once, not per request: every signed-in request asks it first, and a statement built anew is walked
    again for its cache key every time."""
    return (select(UserSession).where(UserSession.token_hash == bindparam("token_hash"))
            .options(joinedload(UserSession.user)))


def note_activity(signed_in: UserSession, now: datetime) -> bool:
    """Move the session's last-seen time to `now` if it is a few minutes old; return whether it moved."""
    if now - signed_in.last_seen_at < SEEN_PRECISION:
        return False
    signed_in.last_seen_at = now
    return True


def sessions_of(user: User) -> list[UserSession]:
    """Return the sessions of `user` still open, the most recently used first."""
    query = select(UserSession).where(UserSession.user_id == user.id).order_by(UserSession.last_seen_at.desc(),
                                                                               UserSession.id.desc())
    return list(db.session.scalars(query))


def current_session_id(user: User) -> int | None:
    """Return the id of the session `user` was loaded for (this browser's), or None."""
    if not user.session_token:
        return None
    token_hash = _token_hash(user.session_token)
    return db.session.scalar(select(UserSession.id).where(UserSession.token_hash == token_hash))


def end_session(user: User, session_id: int) -> bool:
    """End one session of `user` (never someone else's); return whether there was one to end."""
    query = delete(UserSession).where(UserSession.id == session_id, UserSession.user_id == user.id)
    return _deleted(query) > 0


def sign_out(token: str) -> None:
    """End the session of one browser (signing out there); a copy of its cookie then signs no one in."""
    db.session.execute(delete(UserSession).where(UserSession.token_hash == _token_hash(token)))


def sign_out_everywhere(user: User) -> None:
    """End every session of `user`, in every browser, at its next request."""
    db.session.execute(delete(UserSession).where(UserSession.user_id == user.id))


def sign_out_others(user: User) -> int:
    """End every session of `user` but the one it was loaded for; return how many ended."""
    query = delete(UserSession).where(UserSession.user_id == user.id)
    if user.session_token:
        query = query.where(UserSession.token_hash != _token_hash(user.session_token))
    return _deleted(query)


def reset_password(user: User, password: str) -> None:
    """Give `user` a new password (an admin resetting an account) and end all of its sessions."""
    _check_password(password)
    user.password_hash = _hash(password)
    sign_out_everywhere(user)


def update(user: User, *, by: User, email: str, name: str, role: Role, is_active: bool, password: str = "") -> None:
    """Change an account as an admin does in the users screen; an empty `password` keeps the current one.

    A new password, role or activation ends the account's sessions, so a copied cookie, or a browser left signed
    in before the change, does not carry on under the old terms; an admin changing their own account keeps the
    browser they are using. Nobody can take away their own admin role or deactivate themselves.
    """
    if user is by and (role is not Role.ADMIN or not is_active):
        raise InvalidInput("You cannot take away your own admin role or deactivate yourself.", field="role")
    email = normalize_email(email)
    owner = find_by_email(email)
    if owner is not None and owner is not user:
        raise InvalidInput(f"There is already an account for {email}.", field="email")
    if password:
        _check_password(password)
    ends_sessions = bool(password) or role != user.role or is_active != user.is_active
    user.email, user.name, user.role, user.is_active = email, name.strip(), role, is_active
    if password:
        user.password_hash = _hash(password)
    if ends_sessions and user is by:
        sign_out_others(user)
    elif ends_sessions:
        sign_out_everywhere(user)


#: The longest values a profile keeps, as the columns allow (a bio is a paragraph or two, not an article).
PROFILE_LIMITS = {"name": 120, "credentials": 300, "bio": 5000}


def update_profile(user: User, *, name: str, credentials: str, bio: str, photo_id: int | None) -> None:
    """Change what readers see of `user` beside their articles: the display name, credentials, bio and photo
    (an upload `user` may manage, or None for none). Each user changes only their own."""
    fields = {"name": " ".join(name.split()), "credentials": " ".join(credentials.split()),
              "bio": bio.strip().replace("\r\n", "\n")}
    for field, value in fields.items():
        if len(value) > PROFILE_LIMITS[field]:
            label = {"name": "A display name", "credentials": "Credentials", "bio": "A bio"}[field]
            raise InvalidInput(f"{label} can be at most {PROFILE_LIMITS[field]:,} characters long.", field=field)
    photo = None
    if photo_id is not None:
        photo = db.session.get(Media, photo_id)
        if photo is None:
            raise InvalidInput("That photo is no longer in the media library; choose another.", field="photo")
        media_service.check_image(photo, field="photo")
        media_service.check_may_manage(photo, user)
    user.name, user.credentials, user.bio = fields["name"], fields["credentials"], fields["bio"]
    user.photo = photo
    db.session.flush()


@dataclass(frozen=True)
class AuthorBox:
    """The "About the author" box under an article."""

    name: str
    credentials: str = ""
    bio: str = ""
    photo: Media | None = None

    def photo_html(self) -> str:
        """The photo as a responsive <picture>, or "" without one."""
        return media_service.picture_html(self.photo, sizes=images.AUTHOR_PHOTO_SIZES) if self.photo is not None else ""


@dataclass(frozen=True)
class Byline:
    """Who readers are told wrote an article: its byline, feeds and JSON-LD name `name`; `box` is shown under it."""

    name: str
    photo: Media | None
    box: AuthorBox


def byline(author: User, settings: SiteSettings) -> Byline:
    """Return how readers see `author`: their own name, credentials, bio and photo.

    An author without a bio gets the author fields of the site settings in the author box (a site run by one
    person often fills those in instead), with their photo only when they are that author (same name, or none).
    An account without a name is credited to the site's author, never shown by its email address.
    """
    name = author.name or settings.author_name or settings.title
    if author.bio:
        box = AuthorBox(name=name, credentials=author.credentials, bio=author.bio, photo=author.photo)
    else:
        is_site_author = not author.name or author.name == settings.author_name
        box = AuthorBox(name=settings.author_name or name, credentials=settings.author_credentials,
                        bio=settings.author_bio, photo=author.photo if is_site_author else None)
    return Byline(name=name, photo=author.photo, box=box)


def site_author_photo(settings: SiteSettings) -> Media | None:
    """Return the photo of the account named as the site's author in the settings (the home page shows it)."""
    if not settings.author_name:
        return None
    return db.session.scalar(select(Media).join(user_photos, Media.id == user_photos.c.media_id)
                             .join(User, User.id == user_photos.c.user_id)
                             .where(User.name == settings.author_name).order_by(User.id).limit(1))


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"The password must be at least {MIN_PASSWORD_LENGTH} characters long.",
                           field="password")


def _hash(password: str) -> str:
    return generate_password_hash(password, method=_method())  # salted; the method is kept in the hash


def _method() -> str:
    method: str = current_app.config["PASSWORD_HASH_METHOD"]
    return method


@cache
def _dummy_hash(method: str) -> str:
    return generate_password_hash("not anyone's password", method=method)


def _deleted(query: Delete) -> int:
    result = cast("CursorResult[Any]", db.session.execute(query))  # a DELETE's result is a cursor's
    return result.rowcount or 0


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
