from assistant.ingest.text import key_tokens, split_sentences, terms


def spans_text(text: str) -> list[str]:
    return [text[s:e] for s, e in split_sentences(text)]


def test_sentences_respect_abbreviations_and_keep_exact_offsets() -> None:
    text = "The U.S. Commerce Dept. acted on Oct. 7. Hikvision Co. Ltd. objected!  Next one?"
    assert spans_text(text) == [
        "The U.S. Commerce Dept. acted on Oct. 7.",
        "Hikvision Co. Ltd. objected!",
        "Next one?",
    ]


def test_list_items_and_headings_split_but_hard_wraps_do_not() -> None:
    text = 'Key lines:\n- "First quote."\n- Second item\n\nwrapped line of text\ncontinues here.'
    assert spans_text(text) == [
        "Key lines:",
        '"First quote."',
        "Second item",
        "wrapped line of text\ncontinues here.",
    ]


def test_terms_are_stemmed_without_stopwords() -> None:
    assert terms("The orders were ordered") == ["order", "order"]


def test_key_tokens_finds_numbers_and_names() -> None:
    tokens = key_tokens("On June 27, 2025 the Governor in Council acted under s. 25.4")
    assert {"june", "27", "2025", "governor", "council", "25.4"} <= tokens


def test_a_dateline_dash_does_not_open_a_sentence() -> None:
    from assistant.ingest.text import split_sentences

    text = "LINDEN RIDGE, Pa. — The authority issued an advisory. It was lifted later."
    assert [text[s:e] for s, e in split_sentences(text)] == [
        "LINDEN RIDGE, Pa. — The authority issued an advisory.",
        "It was lifted later.",
    ]


def test_a_line_of_names_only_is_no_answer_sentence() -> None:
    """A signature ("United States District Judge") or a caption states nothing; a
    labelled line ("Dates of inspection: April 8") and a sentence do."""
    from langchain_core.documents import Document

    from assistant.answer.extractive import sentence_candidates

    text = (
        "Patricia Lund\nUnited States District Judge\nHARBOUR FOODS LTD., Defendant.\n"
        "Dates of inspection: April 8-10, 2024\nThe motion to dismiss is denied.\n"
    )
    found = [c.text for c in sentence_candidates([Document(page_content=text)])]
    assert found == ["Dates of inspection: April 8-10, 2024", "The motion to dismiss is denied."]


def test_a_sentence_announcing_with_a_colon_runs_on_into_what_it_announces() -> None:
    """ "... IT IS HEREBY ORDERED that:" says nothing until the next sentence of its
    document, even when the passage ends at the colon; a short label does not run on."""
    from langchain_core.documents import Document

    from assistant.answer.extractive import sentence_candidates

    text = (
        "Overview:\nThe firm asked the court to pause the order.\n\n"
        "Upon consideration of the firm's motion to pause the order, IT IS ORDERED that:"
        "\n\n1. The motion is DENIED.\n"
    )
    cut = text.index("1.")
    passage = Document(page_content=text[:cut], metadata={"source": "order.txt", "start": 0})
    found = [c.text for c in sentence_candidates([passage], {"order.txt": text}.get)]
    assert found[0] == "The firm asked the court to pause the order."  # no label run-on
    assert found[-1].startswith("Upon consideration") and found[-1].endswith("is DENIED.")
    assert text.find(found[-1]) == text.index("Upon")  # verbatim, at its offsets
