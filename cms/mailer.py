"""Where emails go: an SMTP server (SMTP_URL), or, with none set, `.eml` files in the instance folder; DKIM
signing when a key is configured. No database here: the worker decides what to send and records what happened."""

from __future__ import annotations

import os
import smtplib
import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

from cms.core.subscriptions import is_permanent

OUTBOX_FOLDER = "outbox"  # under the instance folder, when no SMTP_URL is set
SIGNED_HEADERS = (b"from", b"to", b"subject", b"date", b"message-id", b"list-unsubscribe",
                  b"list-unsubscribe-post", b"mime-version", b"content-type")


class SendFailure(Exception):
    """The server did not take the email; `code` is its reply (0: no answer at all)."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(f"{code} {reason}" if code else reason)
        self.code = code


class TemporaryFailure(SendFailure):
    """Try again later: a 4xx, no connection, or a refusal that is not about the address (sender, sign-in)."""


class Bounce(SendFailure):
    """The server refused this address, or this email to it, for good (a 5xx to RCPT TO or DATA)."""


class Transport(Protocol):
    def send(self, sender: str, recipient: str, message: bytes) -> None: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    is_tls: bool  # smtps://: TLS from the first byte; smtp:// upgrades with STARTTLS when the server offers it
    user: str | None
    password: str | None


def smtp_settings(url: str) -> SmtpSettings:
    """Read `smtp://user:password@host:587` or `smtps://…:465`; ValueError, in one sentence, for anything else."""
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ValueError(f"SMTP_URL {_hide_password(url)!r} must look like smtp://user:password@host:587 "
                         "or smtps://user:password@host:465.")
    try:
        port = parts.port
    except ValueError:
        raise ValueError(f"SMTP_URL {_hide_password(url)!r} has a port that is not a number.") from None
    is_tls = parts.scheme == "smtps"
    return SmtpSettings(host=parts.hostname, port=port or (465 if is_tls else 25), is_tls=is_tls,
                        user=unquote(parts.username) if parts.username else None,
                        password=unquote(parts.password) if parts.password else None)


def _hide_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    return url.replace(f":{parts.password}@", ":***@", 1)


class SmtpTransport:
    """One connection, kept open between emails and opened again after an error."""

    def __init__(self, settings: SmtpSettings, *, timeout: float = 30) -> None:
        self.settings, self.timeout = settings, timeout
        self.connection: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        settings = self.settings
        context = ssl.create_default_context()
        connection: smtplib.SMTP
        if settings.is_tls:
            connection = smtplib.SMTP_SSL(settings.host, settings.port, timeout=self.timeout, context=context)
        else:
            connection = smtplib.SMTP(settings.host, settings.port, timeout=self.timeout)
            connection.ehlo()
            if connection.has_extn("starttls"):
                connection.starttls(context=context)
                connection.ehlo()
            elif settings.user:  # never a password in clear text
                connection.close()
                raise TemporaryFailure(0, f"{settings.host} offers no STARTTLS, so the password is not sent; "
                                          "use smtps:// or a server that offers it.")
        if settings.user:
            connection.login(settings.user, settings.password or "")
        return connection

    def send(self, sender: str, recipient: str, message: bytes) -> None:
        try:
            if self.connection is None:
                self.connection = self._connect()
            self.connection.sendmail(sender, [recipient], message)
        except smtplib.SMTPRecipientsRefused as error:
            code, reply = error.recipients.get(recipient, (0, b""))
            raise self._failure(code, reply) from None
        except smtplib.SMTPDataError as error:
            raise self._failure(error.smtp_code, error.smtp_error) from None
        except smtplib.SMTPResponseException as error:  # the sender refused, sign-in failed: not the address
            self.close()
            raise TemporaryFailure(error.smtp_code, _text(error.smtp_error)) from None
        except (smtplib.SMTPException, OSError) as error:  # no connection, a dropped one, a timeout
            self.close()
            raise TemporaryFailure(0, str(error) or type(error).__name__) from None

    def _failure(self, code: int, reply: Any) -> SendFailure:
        self._reset()
        return (Bounce if is_permanent(code) else TemporaryFailure)(code, _text(reply))

    def _reset(self) -> None:
        """After a refused email, the same connection can carry the next one once the transaction is reset."""
        try:
            if self.connection is not None:
                self.connection.rset()
        except (smtplib.SMTPException, OSError):
            self.close()

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.quit()
            except (smtplib.SMTPException, OSError):
                self.connection.close()
            self.connection = None


def _text(reply: Any) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


class FolderTransport:
    """Writes each email as a `.eml` file, for a site without SMTP_URL: open them to see what would be sent."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.count = 0

    def send(self, sender: str, recipient: str, message: bytes) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.count += 1
        stem = f"{os.getpid()}-{self.count:06d}-{recipient.replace('/', '_')}"
        draft = self.folder / f".{stem}.part"
        draft.write_bytes(message)
        draft.replace(self.folder / f"{stem}.eml")  # whole or absent: a reader never opens half a file

    def close(self) -> None:
        pass


def transport_for(config: Any, instance_path: str) -> Transport:
    """The transport the configuration names: SMTP_URL, or the instance folder's `outbox/`."""
    if config.get("SMTP_URL"):
        return SmtpTransport(smtp_settings(config["SMTP_URL"]))
    return FolderTransport(Path(config.get("MAIL_FOLDER") or Path(instance_path) / OUTBOX_FOLDER))


@dataclass(frozen=True)
class DkimKey:
    selector: bytes
    domain: bytes
    private_key: bytes


def dkim_key(config: Any, sender_domain: str) -> DkimKey | None:
    """The DKIM key DKIM_KEY_FILE names (PEM), signing for DKIM_DOMAIN or the sender's domain; None if unset."""
    path = config.get("DKIM_KEY_FILE")
    if not path:
        return None
    return DkimKey(selector=str(config.get("DKIM_SELECTOR") or "cms").encode(),
                   domain=str(config.get("DKIM_DOMAIN") or sender_domain).encode(),
                   private_key=Path(path).read_bytes())


def sign(message: bytes, key: DkimKey | None) -> bytes:
    """Return `message` with a DKIM-Signature header covering its headers (List-Unsubscribe ones included, as
    RFC 8058 asks) and body; unchanged without a key."""
    if key is None:
        return message
    import dkim

    present = {line.split(b":", 1)[0].strip().lower() for line in message.split(b"\r\n\r\n", 1)[0].splitlines()
               if b":" in line and not line[:1].isspace()}
    headers = [name for name in SIGNED_HEADERS if name in present]
    signature = dkim.sign(message, key.selector, key.domain, key.private_key, include_headers=headers)
    return signature + message
