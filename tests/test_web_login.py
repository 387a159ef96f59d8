"""Web login hardening: a half-set login refuses to start, and failed logins lock a client
address out (real Gradio server on loopback, clients from two loopback addresses)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from assistant.settings import WebSettings
from assistant.web.app import launch
from assistant.web.login import LoginThrottle
from tests.test_web_server import _assistant

GOOD = {"username": "staff", "password": "s3cret-pass"}
BAD = {"username": "staff", "password": "guess"}


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_throttle_locks_after_max_failures_and_doubles_the_lockout() -> None:
    clock = _Clock()
    throttle = LoginThrottle(max_failures=3, lockout_s=10, lockout_max_s=25, clock=clock)
    assert [throttle.failed("1.2.3.4") for _ in range(2)] == [0.0, 0.0]
    assert throttle.retry_after("1.2.3.4") == 0.0
    assert throttle.failed("1.2.3.4") == 10  # the third failure locks
    assert throttle.retry_after("1.2.3.4") == 10 and throttle.retry_after("5.6.7.8") == 0.0
    clock.now += 10
    assert throttle.retry_after("1.2.3.4") == 0.0
    assert throttle.failed("1.2.3.4") == 20  # each further failure doubles it ...
    clock.now += 20
    assert throttle.failed("1.2.3.4") == 25  # ... up to the cap
    throttle.succeeded("1.2.3.4")
    assert throttle.retry_after("1.2.3.4") == 0.0 and throttle.failed("1.2.3.4") == 0.0


@pytest.mark.parametrize("only", ["password", "username"])
def test_a_login_with_only_one_half_set_refuses_to_serve(only: str) -> None:
    web = WebSettings(**{only: "x"})
    with pytest.raises(ValueError, match="both a username and a password"):
        web.login()
    assert WebSettings().login() is None
    assert WebSettings(username="a", password="b").login() == ("a", "b")


@pytest.mark.slow
@pytest.mark.parametrize("only", ["PASSWORD", "USERNAME"])
def test_serve_with_only_one_half_of_the_login_exits_with_a_message(
    only: str, tmp_path: Path
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    env = {
        **os.environ,
        f"ASSISTANT_WEB__{only}": "s3cret",
        "ASSISTANT_EMBEDDING__FAKE": "true",
        "ASSISTANT_WEB__PORT": "0",
    }
    result = subprocess.run(
        [sys.executable, "-m", "assistant.cli", "serve", "--corpus", str(corpus)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,  # without the check it would serve until killed
    )
    assert result.returncode == 2
    other = "USERNAME" if only == "PASSWORD" else "PASSWORD"
    assert f"ASSISTANT_WEB__{other} is not" in result.stderr
    assert "Traceback" not in result.stderr and "s3cret" not in result.stderr
    assert len([line for line in result.stderr.splitlines() if "error:" in line]) == 1
    assert not (Path(os.environ["ASSISTANT_INDEX_DIR"]) / "state.sqlite").exists()


@pytest.mark.slow
def test_failed_logins_lock_the_client_address_out(tmp_path: Path) -> None:
    assistant = _assistant(
        tmp_path, **GOOD, login_max_failures=3, login_lockout_s=600, login_lockout_max_s=600
    )
    demo, url = launch(assistant, host="127.0.0.1", port=0, prevent_thread_lock=True, quiet=True)
    other = httpx.HTTPTransport(local_address="127.0.0.2")
    try:
        with httpx.Client(base_url=url, timeout=30) as attacker:
            statuses = [attacker.post("/login", data=BAD).status_code for _ in range(3)]
            assert statuses == [400, 400, 400]
            # locked out: even the right password is not checked now
            locked = attacker.post("/login", data=GOOD)
            assert locked.status_code == 429
            assert 590 <= int(locked.headers["retry-after"]) <= 600
            assert "Too many failed logins" in locked.json()["detail"]
            assert attacker.get("/config").status_code == 401
        # another client address is not affected
        with httpx.Client(base_url=url, timeout=30, transport=other) as colleague:
            assert colleague.post("/login", data=GOOD).status_code == 200
            assert colleague.get("/config").status_code == 200
    finally:
        demo.close()


@pytest.mark.slow
def test_a_successful_login_clears_the_failure_count(tmp_path: Path) -> None:
    settings_web = {**GOOD, "login_max_failures": 2, "login_lockout_s": 600}
    assistant = _assistant(tmp_path, **settings_web)
    demo, url = launch(assistant, host="127.0.0.1", port=0, prevent_thread_lock=True, quiet=True)
    try:
        with httpx.Client(base_url=url, timeout=30) as user:
            assert user.post("/login", data=BAD).status_code == 400  # a typo
            assert user.post("/login", data=GOOD).status_code == 200
            assert user.post("/login", data=BAD).status_code == 400  # count starts again
            assert user.post("/login", data=GOOD).status_code == 200
    finally:
        demo.close()
