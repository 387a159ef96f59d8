"""The page in a real browser: headless Chromium from Debian, driven by Playwright.

One app launch per module (real MiniLM model, real embedded Chroma, a copy of the
sample corpus plus a document full of HTML/script markup).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from assistant.core import Assistant
from assistant.feedback import FeedbackStore
from assistant.settings import Settings
from tests.conftest import HIKVISION_QUESTION, SAMPLE_CORPUS

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 60_000

# A document whose text and header carry markup that must never run in the page.
XSS_DOC = (
    "Title: Lighthouse notice <script>window.__xss = 'title'</script>"
    "<img src=x onerror=\"window.__xss='title-img'\">\n"
    "Publisher: Pelican <b onmouseover=\"window.__xss='pub'\">Point</b> Trust\n"
    "Date: 2025-08-01\n"
    "---\n\n"
    "Keeper Marguerite Ostrander repainted the Pelican Point lighthouse crimson "
    "<script>window.__xss = 'body'; document.title = 'pwned'</script> in August 2025 "
    "<img src=x onerror=\"window.__xss = 'img'; document.title = 'pwned'\"> "
    "using marine enamel.\n\n"
    "The Pelican Point lighthouse stands on the northern breakwater "
    "${window.__xss = 'template'} {{constructor.constructor('window.__xss = 1')()}} "
    "[click](javascript:window.__xss='md') and is open to visitors on Sundays.\n"
)
XSS_QUESTION = "What colour did Marguerite Ostrander repaint the Pelican Point lighthouse?"

UPLOAD_DOC = """# Tessaly harbour ferry timetable

Published by the Port Authority of Tessaly in August 2025.

The Tessaly harbour ferry leaves Pier Nine every forty minutes between six in the morning
and midnight.
Tickets for the harbour ferry cost three crowns and are sold at the Pier Nine kiosk.
"""
UPLOAD_QUESTION = "How often does the Tessaly harbour ferry leave Pier Nine?"


@pytest.fixture(scope="module")
def app(
    tmp_path_factory: pytest.TempPathFactory, real_embeddings
) -> Iterator[tuple[Assistant, str]]:  # noqa: ANN001
    if not CHROMIUM.exists():
        pytest.fail("Chromium is missing: `apt-get install -y chromium` (make test does it)")
    from assistant.web.app import launch

    root = tmp_path_factory.mktemp("browser")
    shutil.copytree(SAMPLE_CORPUS, root / "corpus")
    (root / "corpus" / "90_lighthouse_notice.txt").write_text(XSS_DOC, encoding="utf-8")
    settings = Settings(
        corpus_dir=root / "corpus", index_dir=root / "index", feedback_path=root / "fb.sqlite"
    )
    assistant = Assistant(settings, embeddings=real_embeddings)
    assert assistant.sync().ok
    demo, url = launch(assistant, host="127.0.0.1", port=0, prevent_thread_lock=True, quiet=True)
    yield assistant, url
    demo.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def open_page(browser, url: str, width: int, height: int):  # noqa: ANN001, ANN201
    """A page of the app at ``width`` x ``height``, once its question box is there."""
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(url)
    page.wait_for_selector("#question textarea[data-testid='textbox']")
    return context, page


@pytest.fixture
def page(browser, app):  # noqa: ANN001, ANN201
    context, page = open_page(browser, app[1], 1400, 1000)
    yield page
    context.close()


def ask(page, question: str) -> object:  # noqa: ANN001
    """Type a question, press Enter, wait until the final answer (with citations) is shown."""
    before = page.locator("[data-testid='bot']").count()
    page.fill("#question textarea", question)
    page.keyboard.press("Enter")
    page.wait_for_function(
        "n => document.querySelectorAll(\"[data-testid='bot']\").length > n", arg=before
    )
    bot = page.locator("[data-testid='bot']").nth(before)
    bot.locator("a.cite").first.wait_for()
    return bot


def open_citation(page, link) -> dict[str, str]:  # noqa: ANN001
    link.click()
    n = link.get_attribute("href").rsplit("-", 1)[1]  # "#cite-<turn>-<n>"
    passage = page.locator(f"#sources-panel .passage[data-n='{n}']")
    passage.wait_for()
    return {
        "title": passage.locator("h3").inner_text(),
        "meta": passage.locator(".meta").inner_text(),
        "quote": passage.locator("mark.quote").inner_text(),
        "context": passage.locator("blockquote.context").inner_text(),
    }


def source_of(meta: str) -> str:
    return meta.split("File:", 1)[1].strip().split("\n")[0].strip()


def test_staff_journey_ask_cite_upload_feedback(page, app, tmp_path: Path) -> None:  # noqa: ANN001
    assistant, _ = app
    # 1. ask the Hikvision question; the streamed answer ends with clickable citations
    bot = ask(page, HIKVISION_QUESTION)
    links = bot.locator("a.cite")
    assert links.count() >= 2
    answer_text = bot.inner_text()
    assert "Sources:" not in answer_text  # listed once, as cards in the Sources panel
    assert page.locator("#sources-panel .source-card").count() == links.count()

    # 2. click a citation: the panel shows the quoted passage, highlighted in its context
    shown = open_citation(page, links.first)
    source = source_of(shown["meta"])
    document = assistant.index.document_text(source)
    assert document and shown["quote"].strip() in document
    assert len(shown["context"]) > len(shown["quote"]) + 40  # surrounding text is shown
    assert shown["quote"].strip()[:60] in answer_text  # the answer quotes that passage

    # 3. upload a document on the documents tab; it is indexed and listed
    upload = tmp_path / "harbour-ferry.md"
    upload.write_text(UPLOAD_DOC, encoding="utf-8")
    page.get_by_role("tab", name="Documents").click()
    page.locator("#add-docs").wait_for(state="visible")
    # A freshly shown tab may attach its upload handler a moment after the input exists
    # (seen on a loaded machine): choose the file again if its name does not show up.
    for attempt in range(3):
        page.locator("#upload input[type='file']").set_input_files(str(upload))
        try:
            page.locator("#upload").get_by_text("harbour-ferry.md").first.wait_for(
                timeout=TIMEOUT_MS // 2
            )
            break
        except PlaywrightTimeoutError:
            if attempt == 2:
                raise
    page.click("#add-docs")
    page.locator("#upload-status").get_by_text("Indexed: uploads/harbour-ferry.md").wait_for()
    page.locator("#documents").get_by_text("uploads/harbour-ferry.md").first.wait_for()
    assert (assistant.settings.corpus_dir / "uploads" / "harbour-ferry.md").exists()

    # 4. ask about the upload; the answer cites it
    page.get_by_role("tab", name="Chat").click()
    bot = ask(page, UPLOAD_QUESTION)
    cited = {source_of(open_citation(page, link)["meta"]) for link in bot.locator("a.cite").all()}
    assert "uploads/harbour-ferry.md" in cited

    # 5. feedback: a comment, then thumbs down on that answer -> one SQLite row
    page.fill("#feedback-comment textarea", "Should also give the ticket price.")
    page.locator("#chat button[aria-label='Dislike']").last.click()
    page.locator("#feedback-status").get_by_text("rated not helpful").wait_for()
    rows = FeedbackStore(assistant.settings.feedback_path).rows()
    assert len(rows) == 1
    row = rows[0]
    assert row["rating"] == "down" and row["comment"] == "Should also give the ticket price."
    assert row["question"] == UPLOAD_QUESTION and row["channel"] == "web"
    assert "uploads/harbour-ferry.md" in row["citations"]
    assert '"retrieval"' in row["settings"]

    page.screenshot(path=str(tmp_path / "web-page.png"), full_page=True)
    assert (tmp_path / "web-page.png").stat().st_size > 10_000


def test_document_markup_is_shown_as_text_and_never_runs(page, app, tmp_path: Path) -> None:  # noqa: ANN001
    bot = ask(page, XSS_QUESTION)
    # the cited title (on its source card in the panel) shows its markup as text
    cards = page.locator("#sources-panel").inner_text()
    assert "Lighthouse notice <script>window.__xss = 'title'</script>" in cards
    for link in bot.locator("a.cite").all():
        shown = open_citation(page, link)
        if source_of(shown["meta"]) == "90_lighthouse_notice.txt":
            break
    else:
        pytest.fail("the answer did not cite the markup document")
    panel = page.locator("#sources-panel").inner_text()
    assert "<script>window.__xss = 'title'</script>" in shown["title"]
    assert "<b onmouseover=" in shown["meta"]
    assert "<script>" in panel and "<img src=x onerror=" in panel
    assert "${window.__xss = 'template'}" in panel and "{{constructor" in panel
    # hover the publisher text too, in case an onmouseover attribute survived
    page.locator("#sources-panel .meta").hover()
    page.screenshot(path=str(tmp_path / "xss.png"), full_page=True)
    assert page.evaluate("() => window.__xss") is None
    assert page.title() != "pwned"
    for where in ("#chat", "#sources-panel"):
        injected = f"{where} img[src='x'], {where} script, {where} a[href^='javascript']"
        assert page.locator(injected).count() == 0


# --- layout: element geometry at desktop and phone widths -----------------------------------


def box(locator) -> dict[str, float]:  # noqa: ANN001
    found = locator.bounding_box()
    assert found is not None, f"{locator} is not displayed"
    return found


def overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    return (
        a["x"] < b["x"] + b["width"] - 1
        and b["x"] < a["x"] + a["width"] - 1
        and a["y"] < b["y"] + b["height"] - 1
        and b["y"] < a["y"] + a["height"] - 1
    )


def visible_boxes(page, selector: str) -> list[dict[str, float]]:  # noqa: ANN001
    return [
        b for el in page.locator(selector).all() if el.is_visible() and (b := el.bounding_box())
    ]


@pytest.fixture
def wide_page(browser, app):  # noqa: ANN001, ANN201
    context, page = open_page(browser, app[1], 1280, 900)
    yield page
    context.close()


def test_desktop_layout_has_no_overlaps_and_a_wide_question_box(wide_page, app) -> None:  # noqa: ANN001
    page = wide_page
    documents = len(app[0].sources())  # the header is refreshed when the page loads
    page.locator("#index-header").get_by_text(f"{documents} documents").wait_for()
    assert "last updated" in page.locator("#index-header").inner_text()
    assert not page.locator("#feedback-comment").is_visible()  # no feedback before an answer
    bot = ask(page, HIKVISION_QUESTION)
    page.locator("#feedback-comment textarea").wait_for(state="visible")

    chat, question = box(page.locator("#chat")), box(page.locator("#question textarea"))
    assert question["width"] >= 0.5 * chat["width"]
    ask_btn, new_btn = box(page.locator("#ask")), box(page.locator("#new-chat"))
    assert abs(new_btn["height"] - ask_btn["height"]) < 2  # "New conversation" on one line
    assert abs(new_btn["y"] - ask_btn["y"]) < 2

    # [n] markers look like the panel's links: the same blue
    colour = "el => getComputedStyle(el).color"
    assert bot.locator("a.cite").first.evaluate(colour) == "rgb(29, 78, 216)"
    assert page.locator("#sources-panel a.cite").first.evaluate(colour) == "rgb(29, 78, 216)"

    # no label, icon or button of the chat sits on top of another one or of a message
    controls = visible_boxes(page, "#chat button, #chat label")
    messages = visible_boxes(page, "#chat [data-testid='user'], #chat [data-testid='bot']")
    for i, a in enumerate(controls):
        assert not any(overlap(a, b) for b in controls[i + 1 :]), controls
        assert not any(overlap(a, m) for m in messages), (a, messages)


def test_no_answer_buttons_under_a_bubble_that_is_still_streaming(
    wide_page, app, monkeypatch
) -> None:  # noqa: ANN001
    import threading

    assistant, _ = app
    release = threading.Event()
    real_stream = assistant.stream

    def slow_stream(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        release.wait(30)
        yield from real_stream(*args, **kwargs)

    monkeypatch.setattr(assistant, "stream", slow_stream)
    page = wide_page
    page.fill("#question textarea", HIKVISION_QUESTION)
    page.keyboard.press("Enter")
    try:
        page.locator("#chat .typing").wait_for()
        assert page.locator("#chat button[aria-label='Like']").filter(visible=True).count() == 0
        assert (
            page.locator("#chat button[aria-label='Copy message']").filter(visible=True).count()
            <= 1
        )
    finally:
        release.set()
    page.locator("[data-testid='bot'] a.cite").first.wait_for()
    assert page.locator("#chat button[aria-label='Like']").filter(visible=True).count() == 1


def test_documents_table_shows_every_column_at_1280(wide_page, app) -> None:  # noqa: ANN001
    page = wide_page
    page.get_by_role("tab", name="Documents").click()
    page.locator("#documents [role='gridcell']").first.wait_for()
    frame = box(page.locator("#documents"))
    heads = {
        th.inner_text().strip(): box(th)
        for th in page.locator("#documents thead th").filter(visible=True).all()
        if th.inner_text().strip()
    }
    for name in ("File", "Title", "Publisher", "Date", "Passages"):
        head = next(b for text, b in heads.items() if text.startswith(name))
        assert head["width"] >= 60, name
        assert head["x"] >= frame["x"] - 1, name
        assert head["x"] + head["width"] <= frame["x"] + frame["width"] + 1, name
    clipped = page.evaluate(
        """() => {
            const right = document.querySelector('#documents').getBoundingClientRect().right;
            return [...document.querySelectorAll("#documents [role='gridcell']")]
                .filter(cell => cell.scrollWidth > cell.clientWidth + 2
                             || cell.scrollHeight > cell.clientHeight + 2
                             || cell.getBoundingClientRect().right > right + 1)
                .map(cell => cell.innerText);
        }"""
    )
    assert clipped == []
    rows = page.locator("#documents .virtual-body [role='row']")
    assert rows.count() == len(app[0].sources())  # every document has its row, none cut off


def test_phone_citation_click_shows_the_panel_and_keeps_the_other_sources(browser, app) -> None:  # noqa: ANN001
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    try:
        page.goto(app[1])
        page.wait_for_selector("#question textarea[data-testid='textbox']")
        bot = ask(page, HIKVISION_QUESTION)
        links = bot.locator("a.cite")
        cited = links.count()
        assert cited >= 2
        for control in ("#question textarea", "#ask", "#new-chat"):  # nothing off-screen
            edge = box(page.locator(control))
            assert edge["x"] >= 0 and edge["x"] + edge["width"] <= 390, control
        for button in ("#ask", "#new-chat"):  # the label fits inside its button
            assert page.locator(button).evaluate("b => b.scrollWidth <= b.clientWidth + 1")
        # the long answer streamed in below the question, which is still in view
        question, chat = box(page.locator("[data-testid='user']").last), box(page.locator("#chat"))
        assert question["y"] >= chat["y"] - 1
        links.first.scroll_into_view_if_needed()
        links.first.click()
        passage = page.locator("#sources-panel .passage[data-n='1']")
        passage.wait_for()
        page.wait_for_function(
            """() => {
                const r = document.querySelector('#sources-panel .passage').getBoundingClientRect();
                return r.top >= 0 && r.top < window.innerHeight * 0.6;
            }"""
        )
        # the other sources stay listed under the opened passage
        assert page.locator("#sources-panel .source-card").count() == cited - 1
    finally:
        context.close()
