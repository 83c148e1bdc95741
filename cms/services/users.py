"""Accounts and sign-in."""

from functools import cache

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from cms.core.errors import InvalidInput
from cms.core.workflow import Role
from cms.extensions import db
from cms.models import User

MIN_PASSWORD_LENGTH = 10


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


def from_session_id(session_id: str) -> User | None:
    """Return the active account a session names ("id:session_version"), or None once its sessions were ended."""
    user_id, _, version = session_id.partition(":")
    if not (user_id.isdigit() and version.isdigit()):
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.is_active or user.session_version != int(version):
        return None
    return user


def sign_out_everywhere(user: User) -> None:
    """End every session of `user`, in every browser, at its next request."""
    user.session_version += 1


def reset_password(user: User, password: str) -> None:
    """Give `user` a new password (an admin resetting an account) and end all of its sessions."""
    _check_password(password)
    user.password_hash = _hash(password)
    sign_out_everywhere(user)


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"The password must be at least {MIN_PASSWORD_LENGTH} characters long.",
                           field="password")


def _hash(password: str) -> str:
    return generate_password_hash(password, method=_method())  # salted; the method is kept in the hash


def _method() -> str:
    return current_app.config["PASSWORD_HASH_METHOD"]


@cache
def _dummy_hash(method: str) -> str:
    return generate_password_hash("not anyone's password", method=method)
