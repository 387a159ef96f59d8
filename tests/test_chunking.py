from assistant.ingest.chunking import chunk_document
from assistant.ingest.documents import SourceDocument
from assistant.settings import ChunkingSettings


def make_doc(text: str) -> SourceDocument:
    return SourceDocument("d.txt", text, {"title": "T", "publisher": "P", "date": "2025"})


def test_chunk_text_is_an_exact_slice_with_metadata() -> None:
    text = "\n\n".join(
        f"Paragraph {p} sentence {s} has words." for p in range(20) for s in range(3)
    )
    doc = make_doc(text)
    chunks = chunk_document(doc, ChunkingSettings(chunk_size=200, chunk_overlap=1))
    assert len(chunks) > 5
    for c in chunks:
        assert text[c.start : c.end] == c.text
        assert c.metadata["source"] == "d.txt" and c.metadata["title"] == "T"
        assert c.metadata["start"] == c.start and c.metadata["end"] == c.end
        assert len(c.text) <= 300


def test_ids_are_stable_and_change_with_content() -> None:
    settings = ChunkingSettings(chunk_size=120)
    text = "One sentence here. Another sentence there.\n\nA new paragraph starts. " * 5
    a = [c.id for c in chunk_document(make_doc(text), settings)]
    b = [c.id for c in chunk_document(make_doc(text), settings)]
    c = [c.id for c in chunk_document(make_doc(text.replace("new", "fresh")), settings)]
    assert a == b
    assert a != c
    assert len(set(a)) == len(a)


def test_a_huge_single_line_is_cut_into_bounded_chunks() -> None:
    text = "word " * 20000
    chunks = chunk_document(make_doc(text), ChunkingSettings(chunk_size=500))
    assert all(len(c.text) <= 500 for c in chunks)
    assert sum(len(c.text.split()) for c in chunks) >= 20000
