from pathlib import Path

import pytest

from assistant.ingest.documents import DocumentError, date_number, iter_corpus_files, load_document
from tests.fixtures_files import write_docx, write_pdf


def load(tmp_path: Path, name: str, data: bytes | str):  # noqa: ANN201
    path = tmp_path / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return load_document(path, tmp_path)


def test_header_becomes_metadata_and_body_is_the_text(tmp_path: Path) -> None:
    doc = load(
        tmp_path,
        "a.txt",
        "Title: Closure ordered\nSource URL: https://example.org/a (mirror)\nPublisher: Wire\n"
        "Date: 2025-06-28 (local)\n---\n\nBody sentence one. Body two.\n",
    )
    assert doc.metadata["title"] == "Closure ordered"
    assert doc.metadata["url"] == "https://example.org/a"
    assert doc.metadata["publisher"] == "Wire"
    assert doc.metadata["date_num"] == 20250628
    assert doc.text == "Body sentence one. Body two."


def test_no_header_title_falls_back_to_heading_then_file_name(tmp_path: Path) -> None:
    assert load(tmp_path, "n.md", "# The heading\n\nText here.").metadata["title"] == "The heading"
    assert load(tmp_path, "plain_notes.txt", "Just text.").metadata["title"] == "plain notes"


def test_latin1_file_is_decoded_with_a_warning(tmp_path: Path) -> None:
    doc = load(tmp_path, "l.txt", "Le ministre a décidé.".encode("latin-1"))
    assert "décidé" in doc.text
    assert doc.warnings


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.txt", b"", "empty"),
        ("bin.txt", b"\x00\x01\x02binary\x00" * 10, "binary"),
        ("bad.pdf", b"%PDF-1.4 this is not really a pdf", "PDF"),
        ("bad.docx", b"PK\x03\x04 truncated", "DOCX"),
        ("image.png", b"\x89PNG\r\n", "unsupported file type"),
    ],
)
def test_bad_files_name_the_file_and_the_reason(
    tmp_path: Path, name: str, data: bytes, reason: str
) -> None:
    with pytest.raises(DocumentError) as info:
        load(tmp_path, name, data)
    assert info.value.source == name
    assert reason in str(info.value)
    assert str(info.value).startswith(name)


def test_pdf_keeps_page_numbers(tmp_path: Path) -> None:
    path = tmp_path / "two.pdf"
    write_pdf(path, ["First page says alpha.", "Second page says beta."])
    doc = load_document(path, tmp_path)
    beta = doc.text.index("beta")
    assert doc.page_at(beta) == 2
    assert doc.page_at(doc.text.index("alpha")) == 1


def test_docx_paragraphs_and_heading_title(tmp_path: Path) -> None:
    path = tmp_path / "memo.docx"
    write_docx(path, "Memo title", ["The minister signed the order.", "It takes effect now."])
    doc = load_document(path, tmp_path)
    assert doc.metadata["title"] == "Memo title"
    assert "The minister signed the order." in doc.text


def test_html_main_text_without_boilerplate(tmp_path: Path) -> None:
    html = (
        "<html><head><title>Order issued</title><script>alert(1)</script></head><body>"
        "<nav>Home | About | Contact</nav><article><h1>Order issued</h1>"
        + "".join(
            f"<p>The government issued the order number {i} under the act.</p>" for i in range(8)
        )
        + "</article><footer>Copyright footer text</footer></body></html>"
    )
    doc = load(tmp_path, "page.html", html)
    assert "issued the order number 3" in doc.text
    assert "alert(1)" not in doc.text
    assert "Copyright footer" not in doc.text


def test_symlink_outside_the_corpus_is_not_followed(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "in.txt").write_text("inside")
    outside = tmp_path / "secret.txt"
    outside.write_text("outside")
    (corpus / "link.txt").symlink_to(outside)
    assert [p.name for p in iter_corpus_files(corpus)] == ["in.txt"]


def test_date_number_handles_partial_and_missing_dates() -> None:
    assert date_number("2025-06 (not stated)") == 20250600
    assert date_number("Undated page; describes rules effective 2023-02-06") == 20230206
    assert date_number(None) == 0
