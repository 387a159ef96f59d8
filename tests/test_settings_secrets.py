"""Secrets are SecretStr everywhere: hidden in repr and in the one public dump, and Slack's
own variable names are read by the settings, so every front end honours them."""

from __future__ import annotations

import json

import pytest

from assistant.settings import Settings, SlackSettings, load_settings

BOT = "xoxb-never-shown-1234"
SIGNING = "signing-never-shown-5678"


def test_a_slack_token_never_appears_in_repr_or_public_dump(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ASSISTANT_SLACK__BOT_TOKEN", BOT)
    monkeypatch.setenv("ASSISTANT_WEB__PASSWORD", "pw-never-shown")
    settings = load_settings()
    assert settings.slack.bot_token is not None
    assert settings.slack.bot_token.get_secret_value() == BOT
    shown = repr(settings) + str(settings) + json.dumps(settings.public_dump())
    assert BOT not in shown and "pw-never-shown" not in shown
    dump = settings.public_dump()
    assert dump["slack"]["bot_token"] == "**********" and dump["slack"]["app_token"] is None
    assert dump["retrieval"]["k"] == settings.retrieval.k  # everything else is there
    assert set(settings.secret_values()) >= {BOT, "pw-never-shown"}


def test_slacks_own_variable_names_are_read_by_the_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SIGNING)
    slack = Settings().slack
    assert slack.bot_token is not None and slack.bot_token.get_secret_value() == BOT
    assert slack.signing_secret is not None
    assert slack.signing_secret.get_secret_value() == SIGNING
    monkeypatch.setenv("ASSISTANT_SLACK__BOT_TOKEN", "xoxb-prefixed-wins")
    token = load_settings().slack.bot_token
    assert token is not None and token.get_secret_value() == "xoxb-prefixed-wins"
    explicit = SlackSettings(bot_token="xoxb-given").bot_token
    assert explicit is not None and explicit.get_secret_value() == "xoxb-given"


def test_build_slack_app_honours_slack_bot_token(
    monkeypatch: pytest.MonkeyPatch,
    fake_assistant,  # noqa: ANN001
) -> None:
    pytest.importorskip("slack_bolt")
    from assistant.slack.bot import build_slack_app
    from tests.slack_fake_api import FakeSlackAPI

    api = FakeSlackAPI().start()
    try:
        monkeypatch.setenv("SLACK_BOT_TOKEN", BOT)
        monkeypatch.setenv("SLACK_SIGNING_SECRET", SIGNING)
        monkeypatch.setenv("ASSISTANT_SLACK__API_BASE_URL", api.base_url)
        app = build_slack_app(fake_assistant, load_settings())  # no CLI involved
        assert app.client.token == BOT
        assert api.calls_to("auth.test")  # the app checked its token with Slack
    finally:
        api.stop()
