"""The Gradio page for staff: a thin adapter over ``Assistant``.

``build_ui(assistant)`` returns the page; ``launch(assistant)`` serves it with
the settings' host, port, login and upload limit. Rendering lives in
``web_render`` (everything from documents is escaped there), uploads in
``uploads``. No ``from __future__ import annotations`` here: Gradio reads the
``/ask`` endpoint's type hints at run time.
"""

import gradio as gr
from starlette.middleware import Middleware

from assistant import web_render as render
from assistant.core import Assistant
from assistant.settings import WebSettings
from assistant.web_handlers import PageHandlers
from assistant.web_login import LoginThrottle, LoginThrottleMiddleware

UPLOAD_TYPES = [".txt", ".md", ".markdown", ".html", ".htm", ".pdf", ".docx"]

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


def build_ui(assistant: Assistant) -> gr.Blocks:
    """The staff page: chat, sources panel, filters, documents tab, feedback, ``/ask`` API."""
    pages = PageHandlers(assistant)

    def ask(question: str, history: list | None = None, filters: dict | None = None) -> dict:
        """Answer a question; returns the answer object (answer, citations, conflicts...).

        ``filters`` takes sources, publishers, date_from and date_to; any other key, a bad
        date or an empty question is an error the caller sees, never silently ignored.
        """
        try:
            answer = assistant.ask(question, history=history or [], filters=filters or None)
        except ValueError as exc:
            raise gr.Error(str(exc), print_exception=False) from exc
        return answer.to_json_dict()

    with gr.Blocks(title="Assistant", analytics_enabled=False) as demo:
        conv = gr.State([])
        gr.Markdown(
            "## Ask the documents\nAnswers quote the indexed sources; "
            "click a citation such as [1] to read the passage."
        )
        indexing = gr.Markdown(elem_id="indexing-status")
        indexing_timer = gr.Timer(2.0, active=False)
        with gr.Tabs():
            with gr.Tab("Chat", id="chat"), gr.Row(equal_height=False):
                with gr.Column(scale=3):
                    chatbot = gr.Chatbot(
                        label="Conversation",
                        elem_id="chat",
                        height=520,
                        feedback_options=("Like", "Dislike"),
                        latex_delimiters=[],
                        buttons=["copy"],
                        placeholder="Ask a question about the documents.",
                    )
                    with gr.Row():
                        question = gr.Textbox(
                            show_label=False,
                            placeholder="Ask a question…",
                            scale=6,
                            elem_id="question",
                            autofocus=True,
                        )
                        ask_btn = gr.Button("Ask", variant="primary", scale=1, elem_id="ask")
                        new_btn = gr.Button("New conversation", scale=1, elem_id="new-chat")
                    with gr.Row():
                        comment = gr.Textbox(
                            label="Feedback comment (optional): type it, then click "
                            "the thumbs up or down under an answer",
                            elem_id="feedback-comment",
                            scale=3,
                        )
                        feedback_status = gr.Markdown(elem_id="feedback-status")
                    with gr.Accordion("Filters", open=False, elem_id="filters"):
                        with gr.Row():
                            source_filter = gr.Dropdown(
                                label="Source documents",
                                multiselect=True,
                                choices=[],
                                elem_id="filter-sources",
                            )
                            publisher_filter = gr.Dropdown(
                                label="Publishers",
                                multiselect=True,
                                choices=[],
                                elem_id="filter-publishers",
                            )
                        with gr.Row():
                            date_from = gr.Textbox(
                                label="From date (2025, 2025-06, 2025-06-28)", elem_id="filter-from"
                            )
                            date_to = gr.Textbox(label="To date", elem_id="filter-to")
                with gr.Column(scale=2):
                    gr.Markdown("### Sources")
                    panel = gr.HTML(
                        render.EMPTY_PANEL,
                        elem_id="sources-panel",
                        js_on_load=CITE_BRIDGE_JS,
                        padding=True,
                    )
            with gr.Tab("Documents", id="documents"):
                uploads = gr.File(
                    label="Upload documents (txt, md, html, pdf, docx)",
                    file_count="multiple",
                    file_types=UPLOAD_TYPES,
                    type="filepath",
                    elem_id="upload",
                )
                add_btn = gr.Button("Add to the index", variant="primary", elem_id="add-docs")
                upload_status = gr.Markdown(elem_id="upload-status")
                docs_table = gr.Dataframe(
                    headers=["File", "Title", "Publisher", "Date", "Passages"],
                    interactive=False,
                    elem_id="documents",
                    wrap=True,
                )
                with gr.Row():
                    remove_choice = gr.Dropdown(
                        label="Document to remove", choices=[], elem_id="remove-choice", scale=3
                    )
                    remove_btn = gr.Button(
                        "Remove document", variant="stop", scale=1, elem_id="remove-doc"
                    )
                remove_status = gr.Markdown(elem_id="remove-status")

        chat_inputs = [question, conv, source_filter, publisher_filter, date_from, date_to]
        chat_outputs = [chatbot, conv, question, panel]
        private = {"api_visibility": "private"}
        question.submit(pages.respond, chat_inputs, chat_outputs, **private)
        ask_btn.click(pages.respond, chat_inputs, chat_outputs, **private)
        new_btn.click(
            pages.new_conversation,
            None,
            [chatbot, conv, question, panel, feedback_status, comment],
            **private,
        )
        chatbot.clear(
            pages.new_conversation,
            None,
            [chatbot, conv, question, panel, feedback_status, comment],
            **private,
        )
        panel.click(pages.show_citation, [conv], [panel], **private)
        chatbot.like(pages.on_like, [conv, comment], [feedback_status, comment], **private)
        doc_outputs = [docs_table, source_filter, publisher_filter, remove_choice]
        add_btn.click(pages.on_upload, [uploads], [upload_status, uploads, *doc_outputs], **private)
        remove_btn.click(pages.on_remove, [remove_choice], [remove_status, *doc_outputs], **private)
        demo.load(pages.document_rows, None, doc_outputs, **private)
        demo.load(pages.indexing_state, None, [indexing, indexing_timer], **private)
        indexing_timer.tick(pages.indexing_state, None, [indexing, indexing_timer], **private)
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
    auth = web.login()  # ValueError when only one of username/password is set
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
        app_kwargs={"middleware": [login_throttle(web)]} if auth else None,
    )
    return demo, url


def login_throttle(web: WebSettings) -> Middleware:
    """The per-client failed-login lockout in front of Gradio's ``/login`` (see ``web_login``)."""
    throttle = LoginThrottle(web.login_max_failures, web.login_lockout_s, web.login_lockout_max_s)
    return Middleware(LoginThrottleMiddleware, throttle=throttle)


def free_port(host: str = "127.0.0.1") -> int:
    import socket

    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]
