"""The Gradio page for staff: a thin adapter over ``Assistant``.

``build_ui(assistant)`` returns the page; ``launch(assistant)`` serves it with
the settings' host, port, login and upload limit. Rendering lives in
``web_render`` (everything from documents is escaped there), uploads in
``uploads``. No ``from __future__ import annotations`` here: Gradio reads the
``/ask`` endpoint's type hints at run time.
"""

import logging
from pathlib import Path
from typing import Any

import gradio as gr

from assistant import web_render as render
from assistant.core import Assistant
from assistant.feedback import FeedbackStore
from assistant.uploads import UploadError, add_documents, remove_document

log = logging.getLogger(__name__)

UPLOAD_TYPES = [".txt", ".md", ".markdown", ".html", ".htm", ".pdf", ".docx"]
STAGES = {"load": "Reading files", "embed": "Embedding passages"}
SECRET_FIELDS = ("password", "api_key", "bot_token", "app_token", "signing_secret")

# Clicking any ``a.cite`` link (in the chat or the panel) asks the server for that passage.
CITE_BRIDGE_JS = """
window.__assistantCite = trigger;
if (!window.__assistantCiteBridge) {
  window.__assistantCiteBridge = true;
  document.addEventListener('click', (event) => {
    const link = event.target.closest ? event.target.closest('a.cite') : null;
    if (!link) return;
    event.preventDefault();
    event.stopPropagation();
    window.__assistantCite('click', {cite: link.getAttribute('href') + '@' + Date.now()});
  }, true);
}
"""

CSS = """
a.cite { font-weight: 600; text-decoration: none; cursor: pointer; padding: 0 1px; }
a.cite:hover { text-decoration: underline; }
.cite-list { display: block; font-size: 0.85em; opacity: 0.85; }
.cite-item { margin-right: 0.8em; }
.conflict { display: block; border-left: 3px solid #d97706; padding-left: 0.5em; }
#sources-panel .passage h3 { margin: 0 0 0.3em 0; font-size: 1.05em; }
#sources-panel .meta { font-size: 0.85em; display: flex; flex-wrap: wrap; gap: 0.3em 1em; }
#sources-panel blockquote.context { white-space: pre-wrap; margin: 0.6em 0; padding: 0.6em;
  border-left: 3px solid #6366f1; background: rgba(99, 102, 241, 0.06); }
#sources-panel mark.quote { background: #fde68a; color: #111; padding: 0 1px; }
#sources-panel .quote-line { font-size: 0.85em; opacity: 0.8; margin: 0.2em 0 0.6em 0; }
#sources-panel .note { opacity: 0.75; font-size: 0.9em; }
"""


def public_settings(settings: Any) -> dict[str, Any]:
    """The settings that produced an answer, without secrets (stored with feedback)."""
    data = settings.model_dump(mode="json")

    def scrub(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: None if k in SECRET_FIELDS else scrub(v) for k, v in node.items()}
        return node

    return scrub(data)


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


def _filters(sources: list[str] | None, publishers: list[str] | None, date_from: str | None,
             date_to: str | None) -> dict[str, Any]:
    return {
        "sources": list(sources or []),
        "publishers": list(publishers or []),
        "date_from": (date_from or "").strip() or None,
        "date_to": (date_to or "").strip() or None,
    }


def build_ui(assistant: Assistant) -> gr.Blocks:
    """The staff page: chat, sources panel, filters, documents tab, feedback, ``/ask`` API."""
    feedback = FeedbackStore(assistant.settings.feedback_path)

    def respond(question, conv, sources, publishers, date_from, date_to):
        question = (question or "").strip()
        conv = list(conv or [])
        if not question:
            yield chat_messages(conv), conv, "", gr.skip()
            return
        turn: dict[str, Any] = {"question": question, "answer": None, "error": None}
        history = _history(conv)
        conv.append(turn)
        yield chat_messages(conv, ""), conv, "", gr.skip()
        text = ""
        try:
            for item in assistant.stream(
                question,
                history=history,
                filters=_filters(sources, publishers, date_from, date_to),
            ):
                if isinstance(item, str):
                    text += item
                    yield chat_messages(conv, text), conv, "", gr.skip()
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
        yield chat_messages(conv), conv, "", panel

    def new_conversation():
        return [], [], "", render.EMPTY_PANEL, "", ""

    def show_citation(conv, evt: gr.EventData):
        cite = getattr(evt, "_data", None) or {}
        cite = cite.get("cite") if isinstance(cite, dict) else None
        answers = [turn.get("answer") for turn in conv or []]
        return render.render_selected(answers, cite, assistant.index.document_text)

    def on_like(conv, comment, data: gr.LikeData):
        index = data.index[0] if isinstance(data.index, list | tuple) else data.index
        turn_no = int(index) // 2
        liked = data.liked
        rating = {True: "up", "Like": "up", False: "down", "Dislike": "down"}.get(liked)
        conv = conv or []
        if rating is None or not 0 <= turn_no < len(conv) or not conv[turn_no].get("answer"):
            return gr.skip(), gr.skip()
        answer = conv[turn_no]["answer"]
        comment = (comment or "").strip() or None
        row = feedback.record(
            rating=rating,
            question=conv[turn_no]["question"],
            answer=answer["answer"],
            citations=answer["citations"],
            settings=public_settings(assistant.settings),
            comment=comment,
            channel="web",
        )
        verdict = "helpful" if rating == "up" else "not helpful"
        note = ", with your comment" if comment else ""
        return f"Saved: answer {turn_no + 1} rated {verdict}{note} (feedback #{row}).", ""

    def document_rows():
        infos = assistant.sources()
        rows = [[i.source, i.title or "", i.publisher or "", i.date or "", i.chunks] for i in infos]
        sources = [i.source for i in infos]
        publishers = sorted({i.publisher for i in infos if i.publisher})
        return (
            rows,
            gr.update(choices=sources),
            gr.update(choices=publishers),
            gr.update(choices=sources, value=None),
        )

    def progress_callback(progress: gr.Progress):
        def report(stage: str, done: int, total: int) -> None:
            progress((done, total), desc=STAGES.get(stage, stage), unit="files")

        return report

    def on_upload(files, progress=gr.Progress()):
        paths = [Path(f) for f in files or []]
        if not paths:
            return ("Choose one or more files first.", gr.skip(), *document_rows())
        try:
            result = add_documents(
                assistant, [(p.name, p) for p in paths], progress_callback(progress)
            )
        except Exception as exc:  # noqa: BLE001 - index busy, corpus missing ...
            return (f"&#9888; {render.escape_text(str(exc))}", gr.skip(), *document_rows())
        lines = [f"Indexed: {render.escape_text(s)}" for s in result.added]
        lines += [f"Already indexed: {render.escape_text(s)}" for s in result.unchanged]
        lines += [
            f"&#9888; Not added: {render.escape_text(name)}: {render.escape_text(reason)}"
            for name, reason in result.errors.items()
        ]
        return ("<br>".join(lines) or "Nothing to do.", None, *document_rows())

    def on_remove(source, progress=gr.Progress()):
        if not source:
            return ("Choose a document to remove.", *document_rows())
        try:
            report = remove_document(assistant, source, progress_callback(progress))
        except (UploadError, OSError) as exc:
            return (f"&#9888; {render.escape_text(str(exc))}", *document_rows())
        except Exception as exc:  # noqa: BLE001
            return (f"&#9888; {render.escape_text(str(exc))}", *document_rows())
        done = "Removed" if source in report.removed else "Could not remove"
        return (f"{done}: {render.escape_text(source)}", *document_rows())

    def ask(question: str, history: list | None = None, filters: dict | None = None) -> dict:
        """Answer a question; returns the answer object (answer, citations, conflicts...)."""
        return assistant.ask(question, history=history or [], filters=filters or None) \
            .to_json_dict()

    with gr.Blocks(title="Assistant", analytics_enabled=False) as demo:
        conv = gr.State([])
        gr.Markdown("## Ask the documents\nAnswers quote the indexed sources; "
                    "click a citation such as [1] to read the passage.")
        with gr.Tabs():
            with gr.Tab("Chat", id="chat"), gr.Row(equal_height=False):
                with gr.Column(scale=3):
                    chatbot = gr.Chatbot(
                        label="Conversation", elem_id="chat", height=520,
                        feedback_options=("Like", "Dislike"), latex_delimiters=[],
                        buttons=["copy"], placeholder="Ask a question about the documents.",
                    )
                    with gr.Row():
                        question = gr.Textbox(
                            show_label=False, placeholder="Ask a question…", scale=6,
                            elem_id="question", autofocus=True,
                        )
                        ask_btn = gr.Button("Ask", variant="primary", scale=1,
                                            elem_id="ask")
                        new_btn = gr.Button("New conversation", scale=1, elem_id="new-chat")
                    with gr.Row():
                        comment = gr.Textbox(
                            label="Feedback comment (optional): type it, then click "
                            "the thumbs up or down under an answer", elem_id="feedback-comment", scale=3,
                        )
                        feedback_status = gr.Markdown(elem_id="feedback-status")
                    with gr.Accordion("Filters", open=False, elem_id="filters"):
                        with gr.Row():
                            source_filter = gr.Dropdown(
                                label="Source documents", multiselect=True, choices=[],
                                elem_id="filter-sources",
                            )
                            publisher_filter = gr.Dropdown(
                                label="Publishers", multiselect=True, choices=[],
                                elem_id="filter-publishers",
                            )
                        with gr.Row():
                            date_from = gr.Textbox(label="From date (2025, 2025-06, "
                                                   "2025-06-28)", elem_id="filter-from")
                            date_to = gr.Textbox(label="To date", elem_id="filter-to")
                with gr.Column(scale=2):
                    gr.Markdown("### Sources")
                    panel = gr.HTML(render.EMPTY_PANEL, elem_id="sources-panel",
                                    js_on_load=CITE_BRIDGE_JS, padding=True)
            with gr.Tab("Documents", id="documents"):
                uploads = gr.File(
                    label="Upload documents (txt, md, html, pdf, docx)",
                    file_count="multiple", file_types=UPLOAD_TYPES, type="filepath",
                    elem_id="upload",
                )
                add_btn = gr.Button("Add to the index", variant="primary", elem_id="add-docs")
                upload_status = gr.Markdown(elem_id="upload-status")
                docs_table = gr.Dataframe(
                    headers=["File", "Title", "Publisher", "Date", "Passages"],
                    interactive=False, elem_id="documents", wrap=True,
                )
                with gr.Row():
                    remove_choice = gr.Dropdown(label="Document to remove", choices=[],
                                                elem_id="remove-choice", scale=3)
                    remove_btn = gr.Button("Remove document", variant="stop", scale=1,
                                           elem_id="remove-doc")
                remove_status = gr.Markdown(elem_id="remove-status")

        chat_inputs = [question, conv, source_filter, publisher_filter, date_from, date_to]
        chat_outputs = [chatbot, conv, question, panel]
        private = {"api_visibility": "private"}
        question.submit(respond, chat_inputs, chat_outputs, **private)
        ask_btn.click(respond, chat_inputs, chat_outputs, **private)
        new_btn.click(new_conversation, None,
                      [chatbot, conv, question, panel, feedback_status, comment], **private)
        chatbot.clear(new_conversation, None,
                      [chatbot, conv, question, panel, feedback_status, comment], **private)
        panel.click(show_citation, [conv], [panel], **private)
        chatbot.like(on_like, [conv, comment], [feedback_status, comment], **private)
        doc_outputs = [docs_table, source_filter, publisher_filter, remove_choice]
        add_btn.click(on_upload, [uploads], [upload_status, uploads, *doc_outputs], **private)
        remove_btn.click(on_remove, [remove_choice], [remove_status, *doc_outputs], **private)
        demo.load(document_rows, None, doc_outputs, **private)
        gr.api(ask, api_name="ask")
    return demo


def launch(
    assistant: Assistant,
    host: str | None = None,
    port: int | None = None,
    prevent_thread_lock: bool = False,
    quiet: bool = False,
) -> tuple[gr.Blocks, str]:
    """Serve the page; returns (blocks, local URL). Login is required when settings set it."""
    web = assistant.settings.web
    port = web.port if port is None else port
    if port == 0:
        port = free_port(host or web.host)
    auth = (web.username, web.password) if web.username and web.password else None
    demo = build_ui(assistant)
    demo.queue(default_concurrency_limit=4)
    _, url, _ = demo.launch(
        server_name=host or web.host,
        server_port=port,
        auth=auth,
        auth_message="Sign in to ask the documents." if auth else None,
        max_file_size=int(web.max_upload_mb * 1_048_576),
        css=CSS,
        prevent_thread_lock=prevent_thread_lock,
        quiet=quiet,
        show_error=True,
        ssr_mode=False,
        footer_links=["api"],
        run_history=False,
        share=False,
    )
    return demo, url


def free_port(host: str = "127.0.0.1") -> int:
    import socket

    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]
