"""Event handlers of the web page, as plain methods so tests can call them directly.

Chat state is a list of turns ``{"question", "answer" (Answer JSON or None), "error"}``;
the chat messages are always rendered from it (``chat_messages``). No
``from __future__ import annotations``: Gradio reads the ``gr.LikeData`` /
``gr.EventData`` hints at run time.
"""

import logging
from pathlib import Path
from typing import Any

import gradio as gr

from assistant.core import Assistant, filters_from_options
from assistant.feedback import FeedbackStore
from assistant.ingest.uploads import UploadError, add_documents, remove_document
from assistant.web import render

log = logging.getLogger(__name__)

STAGES = {"load": "Reading files", "embed": "Embedding passages"}


def public_settings(settings: Any) -> dict[str, Any]:
    """The settings that produced an answer, without secrets (stored with feedback)."""
    return settings.public_dump()


def _history(conv: list[dict[str, Any]]) -> list[dict[str, str]]:
    turns: list[dict[str, str]] = []
    for turn in conv:
        if turn.get("answer"):
            turns.append({"role": "user", "content": turn["question"]})
            turns.append({"role": "assistant", "content": turn["answer"]["answer"]})
    return turns


def chat_messages(conv: list[dict[str, Any]], pending: str | None = None) -> list[dict]:
    """Chatbot messages for the conversation; ``pending`` is a streaming answer."""
    messages: list[dict[str, str]] = []
    for i, turn in enumerate(conv):
        messages.append({"role": "user", "content": render.escape_text(turn["question"])})
        if turn.get("answer"):
            content = render.render_answer(turn["answer"], i)
        elif turn.get("error"):
            content = f"&#9888; {render.escape_text(turn['error'])}"
        else:
            content = render.render_streaming(pending or "")
        messages.append({"role": "assistant", "content": content})
    return messages


class PageHandlers:
    """What each control of the page does; ``build_ui`` wires them to components."""

    def __init__(self, assistant: Assistant) -> None:
        self.assistant = assistant
        self.feedback = FeedbackStore(assistant.settings.feedback_path)

    def respond(self, question, conv, sources, publishers, date_from, date_to):
        question = (question or "").strip()
        conv = list(conv or [])
        if not question:
            yield chat_messages(conv), conv, "", gr.skip(), gr.skip()
            return
        turn: dict[str, Any] = {"question": question, "answer": None, "error": None}
        history = _history(conv)
        conv.append(turn)
        yield chat_messages(conv, ""), conv, "", gr.skip(), gr.skip()
        text = ""
        try:
            for item in self.assistant.stream(
                question,
                history=history,
                filters=filters_from_options(sources, publishers, date_from, date_to),
            ):
                if isinstance(item, str):
                    text += item
                    yield chat_messages(conv, text), conv, "", gr.skip(), gr.skip()
                else:
                    turn["answer"] = item.to_json_dict()
        except ValueError as exc:  # bad filter, empty question: the user can act on it
            turn["error"] = str(exc)
        except Exception as exc:  # noqa: BLE001 - keep the page alive, say what failed
            log.exception("answering %r failed", question)
            turn["error"] = f"Answering failed ({type(exc).__name__}: {exc})"
        if turn["answer"] is None and turn["error"] is None:
            turn["error"] = "No answer was produced."
        panel = render.render_sources_overview(turn["answer"], len(conv) - 1)
        answered = any(t.get("answer") for t in conv)  # feedback only once there is an answer
        yield chat_messages(conv), conv, "", panel, gr.update(visible=answered)

    def new_conversation(self):
        return [], [], "", render.EMPTY_PANEL, "", "", gr.update(visible=False)

    def header(self) -> str:
        """The page header's text: how many documents and passages, and the last change."""
        infos = self.assistant.sources()
        updated = self.assistant.last_updated()
        return render.render_header(
            len(infos),
            sum(i.chunks for i in infos),
            updated.strftime("%Y-%m-%d %H:%M UTC") if updated else None,
        )

    def show_citation(self, conv, evt: gr.EventData):
        cite = getattr(evt, "_data", None) or {}
        cite = cite.get("cite") if isinstance(cite, dict) else None
        answers = [turn.get("answer") for turn in conv or []]
        return render.render_selected(answers, cite, self.assistant.index.document_text)

    def on_like(self, conv, comment, data: gr.LikeData):
        index = data.index[0] if isinstance(data.index, list | tuple) else data.index
        turn_no = int(index) // 2
        liked = data.liked
        rating = {True: "up", "Like": "up", False: "down", "Dislike": "down"}.get(liked)
        conv = conv or []
        if rating is None or not 0 <= turn_no < len(conv) or not conv[turn_no].get("answer"):
            return gr.skip(), gr.skip()
        answer = conv[turn_no]["answer"]
        comment = (comment or "").strip() or None
        row = self.feedback.record(
            rating=rating,
            question=conv[turn_no]["question"],
            answer=answer["answer"],
            citations=answer["citations"],
            settings=public_settings(self.assistant.settings),
            comment=comment,
            channel="web",
        )
        verdict = "helpful" if rating == "up" else "not helpful"
        note = ", with your comment" if comment else ""
        return f"Saved: answer {turn_no + 1} rated {verdict}{note} (feedback #{row}).", ""

    def document_rows(self):
        infos = self.assistant.sources()
        rows = [[i.source, i.title or "", i.publisher or "", i.date or "", i.chunks] for i in infos]
        sources = [i.source for i in infos]
        publishers = sorted({i.publisher for i in infos if i.publisher})
        return (
            rows,
            gr.update(choices=sources),
            gr.update(choices=publishers),
            gr.update(choices=sources, value=None),
            self.header(),
        )

    def indexing_state(self):
        """The background indexing line, and the timer that polls it while it runs."""
        job = self.assistant.background
        text = render.escape_text(self.assistant.indexing_status())
        return text, gr.Timer(active=bool(job and job.running))

    def progress_callback(self, progress: gr.Progress):
        def report(stage: str, done: int, total: int) -> None:
            progress((done, total), desc=STAGES.get(stage, stage), unit="files")

        return report

    def on_upload(self, files, progress=gr.Progress()):  # noqa: B008 - Gradio injects it
        paths = [Path(f) for f in files or []]
        if not paths:
            return ("Choose one or more files first.", gr.skip(), *self.document_rows())
        try:
            result = add_documents(
                self.assistant, [(p.name, p) for p in paths], self.progress_callback(progress)
            )
        except Exception as exc:  # noqa: BLE001 - index busy, corpus missing ...
            return (f"&#9888; {render.escape_text(str(exc))}", gr.skip(), *self.document_rows())
        lines = [f"Indexed: {render.escape_text(s)}" for s in result.added]
        lines += [f"Already indexed: {render.escape_text(s)}" for s in result.unchanged]
        lines += [
            f"&#9888; Not added: {render.escape_text(name)}: {render.escape_text(reason)}"
            for name, reason in result.errors.items()
        ]
        return ("<br>".join(lines) or "Nothing to do.", None, *self.document_rows())

    def on_remove(self, source, progress=gr.Progress()):  # noqa: B008 - Gradio injects it
        if not source:
            return ("Choose a document to remove.", *self.document_rows())
        try:
            report = remove_document(self.assistant, source, self.progress_callback(progress))
        except (UploadError, OSError) as exc:
            return (f"&#9888; {render.escape_text(str(exc))}", *self.document_rows())
        except Exception as exc:  # noqa: BLE001
            return (f"&#9888; {render.escape_text(str(exc))}", *self.document_rows())
        done = "Removed" if source in report.removed else "Could not remove"
        return (f"{done}: {render.escape_text(source)}", *self.document_rows())
