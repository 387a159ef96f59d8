"""Recognising repeats: Slack's retried events and replayed slash commands (split from
``bot``)."""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from typing import Any


class Seen:
    """A bounded, thread-safe set of recently seen keys (event ids, message timestamps)."""

    def __init__(self, size: int) -> None:
        self._keys: OrderedDict[str, None] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def first_time(self, key: str) -> bool:
        """True the first time ``key`` is offered, False on every repeat."""
        with self._lock:
            if key in self._keys:
                self._keys.move_to_end(key)
                return False
            self._keys[key] = None
            while len(self._keys) > self._size:
                self._keys.popitem(last=False)
            return True


def request_key(body: Any, raw_body: str) -> str | None:
    """What identifies one slash-command invocation: Slack's ``trigger_id`` (unique per
    invocation), else a hash of the body. None for anything that is not a command.

    Slack never retries a slash command, so a second request with the same key is a
    replay (a captured signed request resent within the 5 minutes its signature lasts).
    """
    if not isinstance(body, dict) or not body.get("command"):
        return None
    if body.get("trigger_id"):
        return f"trigger:{body['trigger_id']}"
    data = raw_body or json.dumps(body, sort_keys=True, default=str)
    return "body:" + hashlib.sha256(data.encode("utf-8", "replace")).hexdigest()
