"""The two transports of the Slack bot: an HTTP server for the Events API, and Socket Mode.

The HTTP server is the standard library's WSGI server with one thread per
request, serving bolt's WSGI adapter on ``host:port`` at ``/slack/events``
(events, slash commands and interactivity all use that one URL). For a
production WSGI server, serve ``SlackRequestHandler(app)`` with e.g. gunicorn.
"""

from __future__ import annotations

import logging
import threading
from socketserver import ThreadingMixIn
from typing import TYPE_CHECKING
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from assistant.slack import require_credentials

if TYPE_CHECKING:
    from slack_bolt import App

    from assistant.settings import SlackSettings

log = logging.getLogger("assistant.slack")
EVENTS_PATH = "/slack/events"


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


class _LoggingHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        log.debug("%s %s", self.address_string(), format % args)


class SlackHTTPServer:
    """Bolt's WSGI adapter served by a threading HTTP server (port 0 picks a free port)."""

    def __init__(self, app: App, host: str = "127.0.0.1", port: int = 3000) -> None:
        from slack_bolt.adapter.wsgi import SlackRequestHandler

        self._server = make_server(
            host,
            port,
            SlackRequestHandler(app, path=EVENTS_PATH),
            server_class=_ThreadingWSGIServer,
            handler_class=_LoggingHandler,
        )
        self._thread: threading.Thread | None = None

    @property
    def host(self) -> str:
        return str(self._server.server_address[0])

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}{EVENTS_PATH}"

    def serve_forever(self) -> None:
        log.info("Slack bot listening on %s", self.url)
        try:
            self._server.serve_forever(poll_interval=0.2)
        finally:
            self._server.server_close()

    def start(self) -> SlackHTTPServer:
        """Serve in a background thread (tests, embedding); ``shutdown()`` stops it."""
        self._thread = threading.Thread(target=self.serve_forever, name="slack-http", daemon=True)
        self._thread.start()
        return self

    def shutdown(self) -> None:
        self._server.shutdown()
        if self._thread:
            self._thread.join(timeout=5)


def socket_mode_handler(app: App, settings: SlackSettings):  # noqa: ANN201
    """Bolt's Socket Mode handler (``.start()`` blocks, ``.connect()`` returns)."""
    require_credentials(settings.model_copy(update={"mode": "socket"}))
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    return SocketModeHandler(app, app_token=settings.app_token)
