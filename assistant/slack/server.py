"""The two transports of the Slack bot: an HTTP server for the Events API, and Socket Mode.

The HTTP server is the standard library's WSGI server with one thread per
request, serving ``VerifiedSlackRequestHandler`` (bolt's WSGI adapter that checks
the signature and the body's shape first) on ``host:port`` at ``/slack/events``
(events, slash commands and interactivity all use that one URL). For a
production WSGI server, serve ``VerifiedSlackRequestHandler(app)`` with e.g. gunicorn.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import threading
import time
from socketserver import ThreadingMixIn
from typing import TYPE_CHECKING, Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from slack_bolt.request import BoltRequest
from slack_bolt.response import BoltResponse

from assistant.slack.bot import require_credentials

if TYPE_CHECKING:
    from slack_bolt import App

    from assistant.settings import SlackSettings

log = logging.getLogger("assistant.slack")
EVENTS_PATH = "/slack/events"
MAX_BODY_BYTES = 1_048_576  # Slack's payloads are a few KB; refuse anything absurd
SIGNATURE_MAX_AGE_S = 5 * 60


def signature_problem(
    secret: str, body: bytes, timestamp: str | None, signature: str | None
) -> str:
    """Why a request's Slack signature is not acceptable ('' when it is).

    The same check as bolt's (v0 HMAC-SHA256 of ``v0:timestamp:body``, at most 5
    minutes old), but a missing or non-numeric timestamp is a reason, not an exception.
    """
    if not timestamp or not signature:
        return "missing signature headers"
    if not (timestamp.isascii() and timestamp.isdigit()):
        return "X-Slack-Request-Timestamp is not a number of seconds"
    if abs(time.time() - int(timestamp)) > SIGNATURE_MAX_AGE_S:
        return "stale X-Slack-Request-Timestamp"
    base = b"v0:" + timestamp.encode() + b":" + body
    expected = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace")):
        return "invalid signature"
    return ""


class VerifiedSlackRequestHandler(SlackRequestHandler):
    """Bolt's WSGI adapter, checking the signature and then the body before bolt sees them.

    Bolt parses the body before it verifies the signature, so a malformed body or a
    non-numeric timestamp raised inside bolt (a 500 and a traceback per request).
    Here an unsigned request gets 401 and a signed but malformed one 400, each with
    one log line.
    """

    def dispatch(self, request: WsgiHttpRequest) -> BoltResponse:
        headers = request.get_headers()
        remote = request.environ.get("REMOTE_ADDR", "?")
        try:
            length = int(request.environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return _reject(400, "bad Content-Length", remote)
        if not 0 <= length <= MAX_BODY_BYTES:
            return _reject(400, f"body of {length} bytes", remote)
        raw = request.environ["wsgi.input"].read(length) if length else b""
        problem = signature_problem(
            self.app._signing_secret,  # the secret bolt itself verifies with
            raw,
            _header(headers, "x-slack-request-timestamp"),
            _header(headers, "x-slack-signature"),
        )
        if problem:
            return _reject(401, problem, remote)
        try:
            bolt_request = BoltRequest(
                body=raw.decode("utf-8"), query=request.query_string, headers=headers
            )
            if not isinstance(bolt_request.body, dict):
                raise ValueError("the body is not an object")
        except (ValueError, TypeError, AttributeError, KeyError, IndexError) as exc:
            return _reject(400, f"malformed body ({type(exc).__name__})", remote)
        return self.app.dispatch(bolt_request)


def _header(headers: dict[str, Any], name: str) -> str | None:
    value = headers.get(name)
    if isinstance(value, list | tuple):
        value = value[0] if value else None
    return value


def _reject(status: int, reason: str, remote: str) -> BoltResponse:
    log.warning("Slack request from %s refused (%d): %s", remote, status, reason)
    return BoltResponse(status=status, body="Unauthorized" if status == 401 else "Bad Request")


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


class _LoggingHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        log.debug("%s %s", self.address_string(), format % args)


class SlackHTTPServer:
    """Bolt's WSGI adapter served by a threading HTTP server (port 0 picks a free port)."""

    def __init__(self, app: App, host: str = "127.0.0.1", port: int = 3000) -> None:
        self._server = make_server(
            host,
            port,
            VerifiedSlackRequestHandler(app, path=EVENTS_PATH),
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

    app_token = settings.app_token.get_secret_value() if settings.app_token else None
    return SocketModeHandler(app, app_token=app_token)
