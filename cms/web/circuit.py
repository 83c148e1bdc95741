"""A circuit breaker for a shared service the site can do without (Redis): after a failure, stop asking it for a
while, serve without it, and say so in the log once a minute until it answers again."""

from __future__ import annotations

import logging
import threading
import time

#: Seconds to wait for Redis: a healthy one on the same network answers in well under a millisecond, and a page
#: cache that waits longer than rendering the page would take is worse than none.
REDIS_TIMEOUT = 0.05
RETRY_AFTER = 5.0  # seconds a failed dependency is left alone before one call probes it again

logger = logging.getLogger("cms")


class Breaker:
    """Ask `allows()` before a call, then report `succeeded()` or `failed(error)`.

    Closed, every call goes through. A failure opens it: calls are refused for `retry_after` seconds, then one
    goes through to probe. While open, one warning is logged every `warn_every` seconds; the first success
    after that closes it and says so.
    """

    def __init__(self, name: str, *, retry_after: float = RETRY_AFTER, warn_every: float = 60.0) -> None:
        self.name, self.retry_after, self.warn_every = name, retry_after, warn_every
        self.lock = threading.Lock()
        self.opened_at: float | None = None
        self.probe_at = 0.0
        self.warned_at: float | None = None

    @property
    def is_open(self) -> bool:
        return self.opened_at is not None

    def allows(self) -> bool:
        """Whether to make a call now: always while closed; while open, one probe every `retry_after` s."""
        if self.opened_at is None:
            return True
        with self.lock:
            now = time.monotonic()
            if now < self.probe_at:
                return False
            self.probe_at = now + self.retry_after  # this caller probes; the others keep going without
            return True

    def succeeded(self) -> None:
        if self.opened_at is None:
            return
        with self.lock:
            if self.opened_at is not None:
                down_for = time.monotonic() - self.opened_at
                self.opened_at, self.warned_at = None, None
                logger.warning("%s answers again after %.0f s; using it again.", self.name, down_for)

    def failed(self, error: BaseException) -> None:
        with self.lock:
            now = time.monotonic()
            if self.opened_at is None:
                self.opened_at = now
            self.probe_at = now + self.retry_after
            if self.warned_at is None or now - self.warned_at >= self.warn_every:
                self.warned_at = now
                logger.warning("%s does not answer (%s); serving without it, trying again every %.0f s.",
                               self.name, _reason(error), self.retry_after)


def _reason(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
