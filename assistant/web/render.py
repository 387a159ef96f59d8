"""HTML for the web page: answers with clickable ``[n]`` links, the sources panel.

Everything that comes from a document (answer sentences are verbatim quotes,
titles, publishers, passages) goes through ``escape_text``: HTML-escaped and with
every character that Markdown, LaTeX or a template engine could act on replaced
by a numeric entity, so a document can only ever show up as text.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlparse

from assistant.answer.citations import MARKER

# Characters Markdown / GFM / KaTeX / Handlebars / JS template literals give meaning to.
_ENTITY = {ch: f"&#{ord(ch)};" for ch in "\\`*_{}[]()#+-!|~$<>:=@&\"'"}
CITE_PREFIX = "#cite-"
CONTEXT_CHARS = 320


def escape_text(text: str | None) -> str:
    """``text`` as inert HTML: shown literally by Markdown and HTML renderers alike."""
    if not text:
        return ""
    return "".join(_ENTITY.get(ch, ch) for ch in str(text))


def safe_url(url: str | None) -> str | None:
    """Only http(s) links are shown as links; anything else (javascript:...) is not."""
    if not url:
        return None
    parsed = urlparse(url.strip())
    if parsed.scheme in ("http", "https") and parsed.netloc:
        return html.escape(url.strip(), quote=True)
    return None


def cite_href(turn: int, n: int) -> str:
    return f"{CITE_PREFIX}{turn}-{n}"


def parse_cite(value: str | None) -> tuple[int, int] | None:
    """``"#cite-2-1"`` or ``"2-1"`` -> (turn 2, citation 1)."""
    match = re.fullmatch(r"(?:#?cite-)?(\d+)-(\d+)(?:@.*)?", (value or "").strip())
    return (int(match.group(1)), int(match.group(2))) if match else None


def _cite_link(turn: int, n: int, citation: dict[str, Any] | None) -> str:
    title = escape_text((citation or {}).get("title") or (citation or {}).get("source"))
    return (
        f'<a class="cite" href="{cite_href(turn, n)}" data-turn="{turn}" data-n="{n}" '
        f'title="{title}">&#91;{n}&#93;</a>'
    )


def link_markers(text: str, turn: int, citations: list[dict[str, Any]]) -> str:
    """Escape ``text`` and turn each ``[n]`` that has a citation into a link."""
    by_n = {c["n"]: c for c in citations}
    parts: list[str] = []
    last = 0
    for match in MARKER.finditer(text):
        parts.append(escape_text(text[last : match.start()]))
        n = int(match.group(1))
        parts.append(_cite_link(turn, n, by_n[n]) if n in by_n else escape_text(match.group(0)))
        last = match.end()
    parts.append(escape_text(text[last:]))
    return "".join(parts)


def _source_label(c: dict[str, Any]) -> str:
    bits = [c.get("publisher"), c.get("date")]
    where = ", ".join(escape_text(b) for b in bits if b)
    label = f'<span class="cite-title">{escape_text(c.get("title") or c.get("source"))}</span>'
    return label + (f" ({where})" if where else "")


def render_answer(answer: dict[str, Any], turn: int) -> str:
    """The chat message for a final answer: the text with linked ``[n]``, then one note per
    disagreement (from the structured ``conflicts``). The sources are listed once, in the
    Sources panel, not repeated under every answer."""
    citations = answer.get("citations") or []
    lines = [link_markers(answer.get("answer", ""), turn, citations)]
    missing = answer.get("not_answered") or []
    if missing:
        parts = "; ".join(escape_text(f"{part}?") for part in missing)
        lines.append(f'<span class="not-answered">Not in the sources: {parts}</span>')
    for conflict in answer.get("conflicts") or []:
        lines.append(render_conflict(conflict, turn, citations))
    return "\n\n".join(lines)


def render_conflict(conflict: dict[str, Any], turn: int, citations: list[dict[str, Any]]) -> str:
    """One clearly styled note: what the sources disagree on, each value with its sources."""
    by_n = {c["n"]: c for c in citations}
    values = []
    for value in conflict.get("values") or []:
        refs = "".join(_cite_link(turn, n, by_n.get(n)) for n in value.get("citations") or [])
        sources = ", ".join(
            escape_text(by_n[n].get("publisher") or by_n[n].get("title") or by_n[n]["source"])
            for n in value.get("citations") or []
            if n in by_n
        )
        values.append(
            f'<span class="conflict-value">&#8220;{escape_text(value.get("value"))}&#8221; '
            f"{refs}"
            + (f' <span class="conflict-source">{sources}</span>' if sources else "")
            + "</span>"
        )
    return (
        '<span class="conflict"><span class="conflict-title">&#9888; Sources disagree on '
        f"{escape_text(conflict.get('topic'))}</span>{''.join(values)}</span>"
    )


def render_streaming(text: str) -> str:
    return escape_text(text) + ' <span class="typing">&#9679;</span>'


def passage_context(
    text: str | None, start: int, end: int, quote: str, width: int = CONTEXT_CHARS
) -> tuple[str, str, str]:
    """(before, quote, after) around ``text[start:end]``, cut at word boundaries."""
    if not text or text[start:end] != quote:
        if text and quote and (found := text.find(quote)) >= 0:
            start, end = found, found + len(quote)
        else:
            return "", quote, ""
    lo = max(0, start - width)
    hi = min(len(text), end + width)
    if lo > 0:
        space = text.find(" ", lo, start)
        lo = space + 1 if space != -1 else lo
    if hi < len(text):
        space = text.rfind(" ", end, hi)
        hi = space if space != -1 else hi
    before = ("…" if lo > 0 else "") + text[lo:start]
    after = text[end:hi] + ("…" if hi < len(text) else "")
    return before, text[start:end], after


def render_passage(citation: dict[str, Any], document_text: str | None, turn: int) -> str:
    """The sources panel for one citation: metadata, then the quote inside its context."""
    c = citation
    meta = []
    if c.get("publisher"):
        meta.append(f"<span>Publisher: {escape_text(c['publisher'])}</span>")
    if c.get("date"):
        meta.append(f"<span>Date: {escape_text(c['date'])}</span>")
    if c.get("page"):
        meta.append(f"<span>Page: {escape_text(str(c['page']))}</span>")
    meta.append(f"<span>File: <code>{escape_text(c.get('source'))}</code></span>")
    url = safe_url(c.get("url"))
    if url:
        meta.append(
            f'<span>Link: <a href="{url}" target="_blank" rel="noopener noreferrer">'
            f"{escape_text(c['url'])}</a></span>"
        )
    before, quote, after = passage_context(document_text, c["start"], c["end"], c["quote"])
    missing = (
        ""
        if document_text
        else '<p class="note">The document is no longer indexed; showing the quoted text only.</p>'
    )
    for flagged in c.get("instructions") or []:
        missing += (
            '<p class="note instruction">&#9888; This passage also contains text addressed to '
            f"an AI assistant, treated as data and not followed: <q>{escape_text(flagged)}</q></p>"
        )
    return (
        f'<div class="passage" data-turn="{turn}" data-n="{c["n"]}">'
        f"<h3>&#91;{c['n']}&#93; {escape_text(c.get('title') or c.get('source'))}</h3>"
        f'<div class="meta">{"".join(meta)}</div>{missing}'
        f'<blockquote class="context">{escape_text(before)}'
        f'<mark class="quote">{escape_text(quote)}</mark>{escape_text(after)}</blockquote>'
        "</div>"
    )


def _source_card(c: dict[str, Any], turn: int) -> str:
    where = " &#183; ".join(escape_text(b) for b in (c.get("publisher"), c.get("date")) if b)
    return (
        f'<li class="source-card" data-n="{c["n"]}">{_cite_link(turn, c["n"], c)} '
        f'<span class="cite-title">{escape_text(c.get("title") or c.get("source"))}</span>'
        + (f'<div class="card-meta">{where}</div>' if where else "")
        + f'<div class="quote-line">{escape_text(c.get("quote"))}</div></li>'
    )


def render_sources_overview(
    answer: dict[str, Any] | None, turn: int, exclude: int | None = None
) -> str:
    """The panel after a new answer: one card per citation, each opening its passage."""
    if not answer:
        return EMPTY_PANEL
    citations = answer.get("citations") or []
    if not citations:
        return '<p class="note">This answer cites no passages.</p>'
    cards = "".join(_source_card(c, turn) for c in citations if c["n"] != exclude)
    if exclude is not None:
        heading = '<p class="note others">Other sources of this answer</p>'
        return f'{heading}<ol class="overview">{cards}</ol>' if cards else ""
    return (
        '<p class="note">Click a citation number to see the passage in its document.</p>'
        f'<ol class="overview">{cards}</ol>'
    )


def render_selected(
    answers: list[dict[str, Any] | None],
    cite: str | None,
    document_text: Callable[[str], str | None],
) -> str:
    """The panel for a clicked ``#cite-<turn>-<n>`` link of this conversation."""
    parsed = parse_cite(cite)
    if parsed is None:
        return EMPTY_PANEL
    turn, n = parsed
    answer = answers[turn] if 0 <= turn < len(answers) else None
    citation = next((c for c in (answer or {}).get("citations") or [] if c["n"] == n), None)
    if citation is None:
        return '<p class="note">That citation belongs to an earlier conversation.</p>'
    passage = render_passage(citation, document_text(citation["source"]), turn)
    return passage + render_sources_overview(answer, turn, exclude=n)


def render_header(documents: int, passages: int, updated: str | None) -> str:
    """The page header: what is indexed and when the index last changed."""
    status = f"{documents} document{'s' if documents != 1 else ''}, {passages} passages indexed"
    if updated:
        status += f" &#183; last updated {escape_text(updated)}"
    return (
        '<div class="app-header"><h1>Ask the documents</h1>'
        f'<p class="index-status">{status}</p>'
        '<p class="tagline">Answers quote the indexed sources; click a citation such as '
        "&#91;1&#93; to read the passage.</p></div>"
    )


EMPTY_PANEL = (
    '<p class="note">Ask a question; the passages cited by the answer appear here. '
    "Click a citation number such as [1] to see it in its document.</p>"
)
