"""A real SMTP server (aiosmtpd) on loopback inside the test process, keeping every email it accepts.

An email counts as delivered only once the server answers "250" to its DATA: what a worker killed mid-email
never heard accepted is not counted, as a real server would not have taken responsibility for it either.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from tests.servers import free_port


class Inbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.raw: list[bytes] = []  # as received, byte for byte (a DKIM signature covers these)
        self.recipients: Counter[str] = Counter()
        self.changed = threading.Condition()
        self.refuse: dict[str, str] = {}  # address -> the reply its RCPT TO gets, e.g. "550 No such user"
        self.hold_at: int | None = None  # the email (1-based) to hold without an answer until `release` is set
        self.held = threading.Event()
        self.release = threading.Event()
        self.gather: int | None = None  # hold emails until this many senders wait at once, then take them all
        self.gathered = threading.Event()
        self.waiting = 0
        self.port = 0
        self.seen = 0

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          options: list[str]) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.gather is not None and not self.gathered.is_set():
            self.waiting += 1  # one email in hand per connection, so this many connections send at once
            if self.waiting >= self.gather:
                self.gathered.set()
            while not self.gathered.is_set():  # the test gives up waiting (and fails) after its own timeout
                await asyncio.sleep(0.01)
        self.seen += 1
        if self.seen == self.hold_at:
            self.held.set()
            while not self.release.is_set():  # the test kills the sender meanwhile; this email is never answered
                await asyncio.sleep(0.01)
            return "451 Not taken"
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.changed:
            self.messages.append(message)  # type: ignore[arg-type]
            self.raw.append(envelope.original_content)
            self.recipients.update(envelope.rcpt_tos)
            self.changed.notify_all()
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [message for message in self.messages if message["To"] == address]

    def wait_for(self, count: int, seconds: float = 60) -> bool:
        """Wait until `count` emails have been accepted in all; False if `seconds` pass first."""
        with self.changed:
            return self.changed.wait_for(lambda: len(self.messages) >= count, timeout=seconds)


@contextmanager
def smtp_server(**options: Any) -> Iterator[Inbox]:
    """The server; `options` go to aiosmtpd's Controller (tls_context=, auth_required=, ssl_context= …)."""
    inbox = Inbox()
    inbox.port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port, **options)
    controller.start()
    try:
        yield inbox
    finally:
        inbox.release.set()
        inbox.gathered.set()
        controller.stop()


def text_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return part.get_content()
