"""The Gradio page for staff: a thin adapter over ``Assistant``.

``build_ui(assistant)`` returns the page; ``launch(assistant)`` serves it with
the settings' host, port, login and upload limit. Rendering lives in
``web_render`` (everything from documents is escaped there), uploads in
``uploads``. No ``from __future__ import annotations`` here: Gradio reads the
``/ask`` endpoint's type hints at run time.
"""

import gradio as gr
from starlette.middleware import Middleware

from assistant.core import Assistant
from assistant.settings import WebSettings
from assistant.web import render
from assistant.web.api import ASK_DESCRIPTION, ASK_STREAM_DESCRIPTION, api_functions
from assistant.web.handlers import PageHandlers
from assistant.web.login import LoginThrottle, LoginThrottleMiddleware

UPLOAD_TYPES = [".txt", ".md", ".markdown", ".html", ".htm", ".pdf", ".docx"]

# Clicking any ``a.cite`` link (in the chat or the panel) asks the server for that passage;
# on a narrow screen, where the panel sits below the chat, the panel is then scrolled into view.
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
    const panel = document.getElementById('sources-title');
    if (!panel) return;
    const reveal = () => {
      const box = panel.getBoundingClientRect();
      if (box.top < 0 || box.top > window.innerHeight * 0.5) {
        panel.scrollIntoView({behavior: 'smooth', block: 'start'});
      }
    };
    setTimeout(reveal, 250);
  }, true);
  // A new question is scrolled to the top of the chat, so a long answer streams in below
  // it instead of pushing it out of view (the chatbot's own autoscroll is off).
  let lastQuestion = null;
  let pinned = null;  // the question kept at the top until the reader scrolls
  const unpin = () => { pinned = null; };
  new MutationObserver(() => {
    const asked = document.querySelectorAll("#chat [data-testid='user']");
    const latest = asked[asked.length - 1];
    if (latest && latest !== lastQuestion) {
      lastQuestion = pinned = latest;
      const wrap = latest.closest('.bubble-wrap');
      if (wrap && !wrap.__assistantUnpin) {
        wrap.__assistantUnpin = true;
        for (const kind of ['wheel', 'touchmove', 'keydown']) {
          wrap.addEventListener(kind, unpin, {passive: true});
        }
      }
    }
    if (!pinned || !pinned.isConnected) return;
    const wrap = pinned.closest('.bubble-wrap');
    if (!wrap) return;
    const top = pinned.getBoundingClientRect().top - wrap.getBoundingClientRect().top;
    if (Math.abs(top - 8) > 2) wrap.scrollTop += top - 8;
  }).observe(document.body, {childList: true, subtree: true});
}
"""

CSS = """
.app-header h1 { font-size: 1.5em; margin: 0 0 0.15em 0; }
.app-header .index-status { margin: 0; font-weight: 600; opacity: 0.85; }
.app-header .tagline { margin: 0.1em 0 0 0; font-size: 0.9em; opacity: 0.75; }
a.cite, #chat a.cite { color: #1d4ed8 !important; background: #dbeafe; border-radius: 4px;
  padding: 0 0.3em; margin: 0 1px; font-size: 0.85em; font-weight: 600;
  text-decoration: none !important; cursor: pointer; white-space: nowrap; }
a.cite:hover, #chat a.cite:hover { background: #bfdbfe; text-decoration: underline !important; }
.conflict { display: block; margin-top: 0.6em; padding: 0.5em 0.75em; border-radius: 6px;
  border: 1px solid #f59e0b; border-left-width: 4px; background: #fffbeb; color: #78350f; }
.conflict-title { display: block; font-weight: 700; font-size: 1rem; margin-bottom: 0.2em; }
.conflict-value { display: block; }
.conflict-source { opacity: 0.8; font-size: 0.9em; }
.not-answered { display: block; margin-top: 0.4em; font-style: italic; opacity: 0.85; }
#chat .message-row:has(.typing) + .message-buttons { display: none !important; }
#chat button[aria-label='Clear'] { display: none !important; }
#ask-row { align-items: stretch; flex-wrap: nowrap; }
#ask-row > .form { flex: 1 1 auto !important; min-width: 0 !important; }
#ask-row > button { flex: 0 0 auto !important; min-width: 0 !important; white-space: nowrap; }
@media (max-width: 640px) { #ask-row { flex-wrap: wrap; } #ask-row > .form { flex-basis: 100%
  !important; } #ask-row > button { flex: 1 1 0 !important; font-size: 0.95em;
  padding-left: 0.5em; padding-right: 0.5em; } }
#sources-title h3 { margin: 0; }
#sources-panel ol.overview { list-style: none; padding: 0; margin: 0.4em 0 0 0; }
#sources-panel .source-card { border: 1px solid var(--border-color-primary); border-radius: 8px;
  padding: 0.5em 0.7em; margin-bottom: 0.5em; }
#sources-panel .source-card .cite-title { font-weight: 600; }
#sources-panel .card-meta { font-size: 0.8em; opacity: 0.75; }
#sources-panel .passage { border: 2px solid #93c5fd; border-radius: 8px; padding: 0.6em 0.8em;
  margin-bottom: 0.8em; }
#sources-panel .passage h3 { margin: 0 0 0.3em 0; font-size: 1.05em; }
#sources-panel .meta { font-size: 0.85em; display: flex; flex-wrap: wrap; gap: 0.3em 1em; }
#sources-panel .meta a { overflow-wrap: anywhere; }
#sources-panel blockquote.context { white-space: pre-wrap; overflow-wrap: anywhere;
  margin: 0.6em 0 0 0; padding: 0.6em; border-left: 3px solid #6366f1;
  background: rgba(99, 102, 241, 0.06); }
#sources-panel mark.quote { background: #fde68a; color: #111; padding: 0 1px; }
#sources-panel .quote-line { font-size: 0.85em; opacity: 0.8; margin: 0.2em 0 0 0; }
#sources-panel .note { opacity: 0.75; font-size: 0.9em; margin: 0.2em 0; }
"""

DOC_COLUMNS = ["File", "Title", "Publisher", "Date", "Passages"]
DOC_WIDTHS = ["23%", "35%", "20%", "14%", "8%"]


def build_ui(assistant: Assistant) -> gr.Blocks:
    """The staff page: chat, sources panel, filters, documents tab, feedback, ``/ask`` API."""
    pages = PageHandlers(assistant)
    ask, ask_stream = api_functions(assistant)

    with gr.Blocks(title="Assistant", analytics_enabled=False) as demo:
        conv = gr.State([])
        header = gr.HTML(pages.header(), elem_id="index-header")
        indexing = gr.Markdown(elem_id="indexing-status")
        indexing_timer = gr.Timer(2.0, active=False)
        with gr.Tabs():
            with gr.Tab("Chat", id="chat"), gr.Row(equal_height=False):
                with gr.Column(scale=3, min_width=320):
                    chatbot = gr.Chatbot(
                        show_label=False,
                        elem_id="chat",
                        height=520,
                        feedback_options=("Like", "Dislike"),
                        latex_delimiters=[],
                        buttons=["copy"],
                        placeholder="Ask a question about the documents.",
                        autoscroll=False,
                    )
                    with gr.Row(elem_id="ask-row"):
                        question = gr.Textbox(
                            show_label=False,
                            placeholder="Ask a question…",
                            elem_id="question",
                            autofocus=True,
                        )
                        ask_btn = gr.Button("Ask", variant="primary", elem_id="ask")
                        new_btn = gr.Button("New conversation", elem_id="new-chat")
                    with gr.Row(visible=False, elem_id="feedback-row") as feedback_row:
                        comment = gr.Textbox(
                            label="Feedback comment (optional): type it, then click "
                            "the thumbs up or down under an answer",
                            elem_id="feedback-comment",
                            scale=3,
                        )
                        feedback_status = gr.Markdown(elem_id="feedback-status")
                with gr.Column(scale=2, min_width=320):
                    gr.HTML("<h3>Sources</h3>", elem_id="sources-title", padding=False)
                    panel = gr.HTML(
                        render.EMPTY_PANEL,
                        elem_id="sources-panel",
                        js_on_load=CITE_BRIDGE_JS,
                        padding=True,
                    )
                    with gr.Accordion("Filters", open=False, elem_id="filters"):
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
            with gr.Tab("Documents", id="documents"):
                uploads = gr.File(
                    label="Upload documents (txt, md, html, pdf, docx)",
                    file_count="multiple",
                    file_types=UPLOAD_TYPES,
                    type="filepath",
                    elem_id="upload",
                    height=160,
                )
                add_btn = gr.Button("Add to the index", variant="primary", elem_id="add-docs")
                upload_status = gr.Markdown(elem_id="upload-status")
                docs_table = gr.Dataframe(
                    headers=DOC_COLUMNS,
                    column_widths=DOC_WIDTHS,
                    interactive=False,
                    elem_id="documents",
                    wrap=True,
                    max_height=2000,
                    show_label=False,
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
        chat_outputs = [chatbot, conv, question, panel, feedback_row]
        private = {"api_visibility": "private"}
        question.submit(pages.respond, chat_inputs, chat_outputs, **private)
        ask_btn.click(pages.respond, chat_inputs, chat_outputs, **private)
        new_btn.click(
            pages.new_conversation,
            None,
            [chatbot, conv, question, panel, feedback_status, comment, feedback_row],
            **private,
        )
        panel.click(pages.show_citation, [conv], [panel], **private)
        chatbot.like(pages.on_like, [conv, comment], [feedback_status, comment], **private)
        doc_outputs = [docs_table, source_filter, publisher_filter, remove_choice, header]
        add_btn.click(pages.on_upload, [uploads], [upload_status, uploads, *doc_outputs], **private)
        remove_btn.click(pages.on_remove, [remove_choice], [remove_status, *doc_outputs], **private)
        demo.load(pages.document_rows, None, doc_outputs, **private)
        demo.load(pages.indexing_state, None, [indexing, indexing_timer], **private)
        indexing_timer.tick(pages.indexing_state, None, [indexing, indexing_timer], **private)
        indexing_timer.tick(pages.header, None, [header], **private)  # counts while indexing
        gr.api(ask, api_name="ask", api_description=ASK_DESCRIPTION)
        gr.api(ask_stream, api_name="ask_stream", api_description=ASK_STREAM_DESCRIPTION)
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
