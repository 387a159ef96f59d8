"""Failed-login throttling for the web page: per client address, exponential lockout.

Gradio checks the password on ``POST /login`` and answers 400 for wrong credentials,
as often and as fast as a client asks. ``LoginThrottle`` counts failures per client
address; after ``max_failures`` in a row the address is locked for ``lockout_s``
seconds, doubled with each further failure up to ``lockout_max_s``. While locked,
``/login`` answers 429 with ``Retry-After`` without checking the password (so a
correct guess during a lockout is not even confirmed). A successful login clears
the count. ``LoginThrottleMiddleware`` applies it in front of Gradio's routes.

The address is the TCP peer: behind a reverse proxy every client shares the
proxy's address (``X-Forwarded-For`` is not trusted: any client can set it).
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

LOGIN_PATHS = ("/login", "/login/")
_TRACKED_CLIENTS = 10_000  # oldest addresses are forgotten past this many


@dataclass
class _Record:
    failures: int = 0
    locked_until: float = 0.0


class LoginThrottle:
    """Failed-login counts and lockouts per client address (thread-safe)."""

    def __init__(
        self,
        max_failures: int = 5,
        lockout_s: float = 30.0,
        lockout_max_s: float = 900.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_failures = max_failures
        self.lockout_s = lockout_s
        self.lockout_max_s = lockout_max_s
        self._clock = clock
        self._records: OrderedDict[str, _Record] = OrderedDict()
        self._lock = threading.Lock()

    def retry_after(self, client: str) -> float:
        """Seconds ``client`` must still wait before it may try a login (0: it may now)."""
        with self._lock:
            record = self._records.get(client)
            if record is None:
                return 0.0
            return max(0.0, record.locked_until - self._clock())

    def failed(self, client: str) -> float:
        """Count a failed login; returns the lockout it starts (0: none yet)."""
        with self._lock:
            record = self._records.pop(client, None) or _Record()
            self._records[client] = record  # most recent last
            while len(self._records) > _TRACKED_CLIENTS:
                self._records.popitem(last=False)
            record.failures += 1
            over = record.failures - self.max_failures
            if over < 0:
                return 0.0
            lockout = min(self.lockout_max_s, self.lockout_s * 2 ** min(over, 60))
            record.locked_until = self._clock() + lockout
            return lockout

    def succeeded(self, client: str) -> None:
        with self._lock:
            self._records.pop(client, None)


Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


class LoginThrottleMiddleware:
    """ASGI middleware applying a ``LoginThrottle`` to ``POST /login``."""

    def __init__(self, app: Callable[..., Awaitable[None]], throttle: LoginThrottle) -> None:
        self.app = app
        self.throttle = throttle

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope.get("type") != "http"
            or scope.get("method") != "POST"
            or scope.get("path") not in LOGIN_PATHS
        ):
            await self.app(scope, receive, send)
            return
        client = (scope.get("client") or ("unknown",))[0]
        wait = self.throttle.retry_after(client)
        if wait > 0:
            await _too_many(send, wait)
            return
        status: list[int] = []

        async def record_status(message: dict[str, Any]) -> None:
            if message.get("type") == "http.response.start":
                status.append(int(message.get("status", 0)))
            await send(message)

        await self.app(scope, receive, record_status)
        if status and status[0] == 200:
            self.throttle.succeeded(client)
        elif status and status[0] in (400, 401, 403):
            self.throttle.failed(client)


async def _too_many(send: Send, wait: float) -> None:
    seconds = max(1, math.ceil(wait))
    body = json.dumps(
        {"detail": f"Too many failed logins from this address; try again in {seconds} s."}
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 429,
            "headers": [
                (b"content-type", b"application/json"),
                (b"retry-after", str(seconds).encode()),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
