"""Block Kit rendering of answers (pure functions, no Slack)."""

from __future__ import annotations

import json
import re

from assistant.answer.citations import Answer, Citation, Conflict, ConflictValue
from assistant.slack.blocks import (
    FEEDBACK_DOWN,
    FEEDBACK_UP,
    answer_blocks,
    answer_metadata,
    citation_text,
    escape,
    feedback_value,
    parse_feedback_value,
    strip_mentions,
)


def citation(n: int, **kw: object) -> Citation:
    data: dict[str, object] = {
        "n": n,
        "source": f"doc{n}.txt",
        "title": f"Title {n}",
        "publisher": f"Publisher {n}",
        "date": "2025-06-28",
        "url": f"https://example.org/{n}",
        "quote": f"Quoted passage number {n}.",
        "start": 0,
        "end": 10,
        "score": 0.9,
    }
    data.update(kw)
    return Citation(**data)


def sample_answer(**kw: object) -> Answer:
    data: dict[str, object] = {
        "question": "Who ordered it?",
        "answer": "The minister ordered it [2]. It was under the act [5].",
        "citations": [citation(5), citation(2)],
    }
    data.update(kw)
    return Answer(**data)


def sections(blocks: list[dict]) -> list[str]:
    return [b["text"]["text"] for b in blocks if b["type"] == "section"]


def test_answer_then_numbered_sources_with_the_core_numbers() -> None:
    blocks = answer_blocks(sample_answer(), "a1")
    texts = sections(blocks)
    assert texts[0] == "The minister ordered it [2]. It was under the act [5]."
    # sources in number order, numbers kept as the core gave them (2 and 5, not 1 and 2)
    assert [re.match(r"\*\[(\d+)\]\*", t).group(1) for t in texts[1:]] == ["2", "5"]
    assert "<https://example.org/2|Title 2>" in texts[1]
    assert "Publisher 2" in texts[1] and "2025-06-28" in texts[1]
    assert texts[1].endswith("> Quoted passage number 2.")
    assert blocks[-1]["type"] == "actions"


def test_source_without_url_or_metadata_shows_the_file_name() -> None:
    text = citation_text(citation(1, url=None, title=None, publisher=None, date=None, page=4))
    assert text.startswith("*[1]* *doc1.txt* · p. 4")
    assert "<" not in text.split("\n")[0]


def test_disagreements_follow_the_sources() -> None:
    conflict = Conflict(
        topic="the minister's title",
        values=[
            ConflictValue(value="Minister of Foreign Affairs", citations=[2]),
            ConflictValue(value="Minister of Industry", citations=[5]),
        ],
    )
    texts = sections(answer_blocks(sample_answer(conflicts=[conflict]), "a1"))
    assert texts[-1].startswith("*Sources disagree*")
    assert (
        "the minister's title: Minister of Foreign Affairs [2]; Minister of Industry [5]"
        in (texts[-1])
    )
    assert not any("disagree" in t for t in sections(answer_blocks(sample_answer(), "a1")))


def test_text_is_escaped_for_mrkdwn_and_links_cannot_be_broken() -> None:
    answer = sample_answer(
        answer="A <b> & B [2]",
        citations=[citation(2, title="R&D | <Labs>", url="https://x.org/a|b>c", quote="x < y")],
    )
    texts = sections(answer_blocks(answer))
    assert texts[0] == "A &lt;b&gt; &amp; B [2]"
    link = re.search(r"<([^>]*)>", texts[1]).group(1)
    url, label = link.split("|")
    assert url == "https://x.org/a%7Cb%3Ec" and "&lt;Labs&gt;" in label and "R&amp;D" in label
    assert "> x &lt; y" in texts[1]


def test_long_texts_fit_slack_limits() -> None:
    long_quote = "word " * 2000
    answer = sample_answer(answer="a" * 5000, citations=[citation(2, quote=long_quote)])
    blocks = answer_blocks(answer, "a1")
    assert all(len(t) <= 3000 for t in sections(blocks))
    assert sections(blocks)[1].endswith("…")
    many = sample_answer(answer="x [1]", citations=[citation(n) for n in range(1, 80)])
    assert len(answer_blocks(many, "a1")) <= 50


def test_feedback_buttons_carry_a_compact_reference() -> None:
    blocks = answer_blocks(sample_answer(), "answer-42")
    actions = blocks[-1]
    assert [e["action_id"] for e in actions["elements"]] == [FEEDBACK_UP, FEEDBACK_DOWN]
    assert parse_feedback_value(actions["elements"][0]["value"]) == {
        "id": "answer-42",
        "q": "Who ordered it?",
    }
    assert answer_blocks(sample_answer())[-1]["type"] != "actions"  # no id: no buttons


def test_feedback_value_stays_under_slacks_limit_and_parsing_is_tolerant() -> None:
    value = feedback_value("id1", "é" * 5000)
    assert len(value) <= 2000
    assert parse_feedback_value(value)["id"] == "id1"
    assert parse_feedback_value("not json") == {}
    assert parse_feedback_value('["list"]') == {}
    assert parse_feedback_value(None) == {}


def test_metadata_keeps_what_feedback_needs() -> None:
    meta = answer_metadata(sample_answer(), "id9")
    payload = meta["event_payload"]
    assert payload["answer_id"] == "id9" and payload["question"] == "Who ordered it?"
    assert [c["n"] for c in payload["citations"]] == [5, 2]
    json.dumps(meta)  # serialisable as Slack requires


def test_strip_mentions_and_escape() -> None:
    assert strip_mentions("<@U123ABC>  who ordered it? <@W9|bob>") == "who ordered it?"
    assert escape("a & <b>") == "a &amp; &lt;b&gt;"


def test_only_http_links_are_linked() -> None:
    for url in ("javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,x", "file:///etc/x"):
        text = citation_text(citation(1, url=url))
        assert "<" not in text.split("\n")[0] and "*Title 1*" in text, url
    for url in ("slack://open", "//evil.example/x", "https://", "relative/page.html"):
        assert "|Title 1>" not in citation_text(citation(1, url=url)), url
    assert "<HTTPS://Example.org/a%20b|Title 1>" in citation_text(
        citation(1, url="HTTPS://Example.org/a b")
    )
    assert "<http://example.org/x?a=1%7C2|Title 1>" in citation_text(
        citation(1, url="http://example.org/x?a=1|2")
    )
