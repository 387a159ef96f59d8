"""A sync on a background thread, so that a server can listen (and answer from the last
complete index) while the corpus is being indexed."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from assistant.core import Assistant
    from assistant.index.indexer import SyncReport

log = logging.getLogger(__name__)

STAGES = {"load": "reading files", "embed": "embedding passages"}


class BackgroundSync:
    """One ``assistant.sync()`` on a daemon thread, with a status line for a page."""

    def __init__(
        self, assistant: Assistant, on_done: Callable[[BackgroundSync], None] | None = None
    ) -> None:
        self.assistant = assistant
        self.on_done = on_done
        self.report: SyncReport | None = None
        self.error: str | None = None
        self._progress = ""
        self._thread = threading.Thread(target=self._run, name="background-sync", daemon=True)

    def start(self) -> BackgroundSync:
        self._thread.start()
        return self

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def is_current_thread(self) -> bool:
        return threading.current_thread() is self._thread

    def wait(self, timeout: float | None = None) -> bool:
        """True once the sync has finished (well or not)."""
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def status(self) -> str:
        """One line for people: what is going on, or how it ended ('' before it started)."""
        if self.running:
            doing = f": {self._progress}" if self._progress else ""
            return f"Indexing the corpus{doing}. Answers come from the last complete index."
        if self.error:
            return f"Indexing failed: {self.error}"
        if self.report is not None:
            s = self.report.summary()
            failed = f", {s['failed']} failed" if s["failed"] else ""
            return f"Index up to date: {s['chunks_total']} passages{failed}."
        return ""

    def _on_progress(self, stage: str, done: int, total: int) -> None:
        self._progress = f"{STAGES.get(stage, stage)} {done}/{total}"

    def _run(self) -> None:
        try:
            self.report = self.assistant.sync(self._on_progress)
        except Exception as exc:  # noqa: BLE001 - reported on the page and in the log
            self.error = str(exc) or type(exc).__name__
            log.error("background indexing failed: %s", self.error)
        if self.on_done is not None:
            try:
                self.on_done(self)
            except Exception:  # a reporting hook must not take the server down
                log.exception("background indexing: the on_done hook failed")
