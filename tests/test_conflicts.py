"""Disagreement detection: real conflicts of every kind, and look-alikes that are not conflicts.

Values are extracted and compared without a model; whether two sentences describe the
same claim uses the real embedding model (marked slow).
"""

from __future__ import annotations

import pytest
from langchain_core.documents import Document

from assistant.answer.conflicts import compatible, extract_values, find_conflicts, kinds_asked
from assistant.answer.extractive import Candidate
from assistant.answer.values import comparable


def cand(text: str, source: str) -> Candidate:
    return Candidate(Document(page_content=text, metadata={"source": source}), 0, len(text), text)


def one_part_conflicts(question: str, answering: list[Candidate], embeddings):  # noqa: ANN001, ANN201
    """``answer_conflicts`` for a one-part question whose part every one of ``answering``
    answers (the first chosen), each as strong evidence, all of them quoted."""
    from assistant.answer.compose import answer_conflicts
    from assistant.answer.extractive import Evidence
    from assistant.answer.question import analyse
    from assistant.answer.sufficiency import PartDecision, Sufficiency

    (part,) = analyse(question).parts
    for c in answering:
        c.score = 1.0
    evidence = Evidence(list(answering), 1.0, 1.0, [])
    decided = Sufficiency([PartDecision(part, answering[0], 1.0, answering=list(answering))])
    return answer_conflicts(list(answering), evidence, decided, embeddings)


def kinds(text: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for v in extract_values(text):
        out.setdefault(v.kind, []).append(v.shown)
    return out


def test_values_are_extracted_by_kind() -> None:
    found = kinds(
        "On June 27, 2025, Industry Minister Mélanie Joly gave the firm's four subsidiaries "
        "120 days to close and fined them $2.5 million."
    )
    assert found["date"] == ["June 27, 2025"]
    assert found["money"] == ["$2.5 million"]
    assert "four subsidiaries" in found["count"] and "120 days" in found["count"]
    assert found["title"] == ["Industry Minister"]


def test_a_title_of_role_words_keeps_the_office_it_names() -> None:
    """ "Chief Inspector of Dams": the office is "of Dams"; "Chief Inspector" alone says
    nothing a source could dispute, and against "Deputy Director" the two disagree."""
    assert kinds("The order was signed by Ruth Okoro, Chief Inspector of Dams, on Monday.")[
        "title"
    ] == ["Chief Inspector of Dams"]
    (a,) = [v for v in extract_values("Ruth Okoro, Chief Inspector of Dams, signed it.")]
    (b,) = [v for v in extract_values("Deputy Director Ruth Okoro signed it.")]
    assert a.holder == b.holder == "Ruth Okoro" and not compatible(a, b)


def test_compatible_values_are_not_in_dispute() -> None:
    (a,) = [v for v in extract_values("It closed on June 27.") if v.kind == "date"]
    (b,) = [v for v in extract_values("It closed on 27 June 2025.") if v.kind == "date"]
    (c,) = [v for v in extract_values("It closed on June 28, 2025.") if v.kind == "date"]
    assert compatible(a, b)
    assert not compatible(b, c)
    (four,) = [v for v in extract_values("It has four subsidiaries.") if v.kind == "count"]
    (five,) = [v for v in extract_values("It has 5 subsidiaries.") if v.kind == "count"]
    (four2,) = [v for v in extract_values("It has 4 subsidiaries.") if v.kind == "count"]
    assert not compatible(four, five) and compatible(four, four2)


REAL_CONFLICTS = [
    (
        "a count",
        "The ministry said the company operates four subsidiaries in the country.",
        "The company operates five subsidiaries in the country, the ministry said.",
        {"four subsidiaries", "five subsidiaries"},
    ),
    (
        "a date",
        "The bridge was closed to traffic on March 3, 2024, after the inspection.",
        "After the inspection, the bridge was closed to traffic on March 5, 2024.",
        {"March 3, 2024", "March 5, 2024"},
    ),
    (
        "a year",
        "Northwind opened its first store in the city in 2014.",
        "Northwind opened its first store in the city in 2015.",
        {"2014", "2015"},
    ),
    (
        "money",
        "The port authority is seeking compensation of $916 million from the owner.",
        "The port authority is seeking compensation of $900 million from the owner.",
        {"$916 million", "$900 million"},
    ),
    (
        "a part of a whole",
        "The inspection report found that 14 of the bridge's 96 cables were damaged.",
        "According to the inspection report, 17 of the 96 cables were damaged.",
        {"14", "17"},
    ),
    (
        "a title",
        "Minister of Foreign Affairs Anna Berg announced the decision on Friday.",
        "Trade Minister Anna Berg announced the decision on Friday.",
        {"Minister of Foreign Affairs", "Trade Minister"},
    ),
]


@pytest.mark.slow
@pytest.mark.parametrize(("kind", "first", "second", "values"), REAL_CONFLICTS)
def test_real_conflicts_of_every_kind_are_found(
    real_embeddings,
    kind: str,
    first: str,
    second: str,
    values: set[str],  # noqa: ANN001
) -> None:
    a, b = cand(first, "a.txt"), cand(second, "b.txt")
    found = find_conflicts([a], [b], real_embeddings)
    assert found, f"missed a conflict on {kind}"
    assert {value for value, _ in found[0].sides} == values
    assert [c.doc.metadata["source"] for _, c in found[0].sides] == ["a.txt", "b.txt"]


NOT_CONFLICTS = [
    (
        "two events of one subject",
        "Hikvision was added to a U.S. export blacklist in 2019.",
        "Hikvision was ordered to close its Canadian business in 2025.",
    ),
    (
        "a founding year and the year of an order",
        "The subsidiary, founded in 2014, sells cameras to retailers.",
        "The government ordered the subsidiary to close in 2025.",
    ),
    (
        "a later reduction",
        "The authority first demanded $916 million in compensation.",
        "The authority later reduced its claim to $550 million.",
    ),
    (
        "counts of different things",
        "The firm employs 66 people in the country.",
        "The firm was given 120 days to wind up its business.",
    ),
    (
        "a measure of one thing and a count of units of another",
        "The 300-metre ferry was stuck in the lock for two days.",
        "Divers cleared mud around the ferry to a depth of 12 metres.",
    ),
    (
        "a point in time and a duration",
        "The ferry was still stuck in the lock on Thursday, two days after it ran aground.",
        "The ferry was stuck in the lock for six days after it ran aground.",
    ),
    (
        "the same source",
        "The firm operates four subsidiaries.",
        "The firm operates five subsidiaries.",
    ),
]


@pytest.mark.slow
@pytest.mark.parametrize(("why", "first", "second"), NOT_CONFLICTS)
def test_look_alikes_are_not_conflicts(
    real_embeddings,
    why: str,
    first: str,
    second: str,  # noqa: ANN001
) -> None:
    b_source = "a.txt" if why == "the same source" else "b.txt"
    found = find_conflicts([cand(first, "a.txt")], [cand(second, b_source)], real_embeddings)
    assert found == [], f"{why}: {found}"


@pytest.mark.slow
def test_two_sentences_answering_the_same_question_need_less_alike_wording(
    real_embeddings,  # noqa: ANN001
) -> None:
    a = cand(
        "The injunction was issued by a judge in Leeds on Monday, April 12, according to "
        "the council, and stops the warehouse from opening.",
        "a.txt",
    )
    b = cand(
        "On 13 April 2021 the county court granted the council's application to close "
        "the warehouse.",
        "b.txt",
    )
    assert find_conflicts([a], [b], real_embeddings) == []  # worded too differently alone
    found = find_conflicts([a], [b], real_embeddings, answering=[[a, b]])
    assert {value for value, _ in found[0].sides} == {"April 12", "13 April 2021"}


@pytest.mark.slow
def test_two_counts_of_the_thing_asked_disagree_however_worded(
    real_embeddings,  # noqa: ANN001
) -> None:
    """ "How many pumps ...?": two sources counting pumps differently disagree, unless each
    says a different day (a count at two times); counts of other things are not compared."""
    a = cand("Engineers said 14 pumps were running when the water finally receded.", "a.txt")
    b = cand("By the time the flood had drained, a total of 12 pumps were deployed.", "b.txt")
    assert find_conflicts([a], [b], real_embeddings) == []  # worded too differently alone
    found = find_conflicts([a], [b], real_embeddings, counted={"pumps"})
    assert {value for value, _ in found[0].sides} == {"14 pumps", "12 pumps"}
    # both answer the same part: the same holds without the counted noun
    assert find_conflicts([a], [b], real_embeddings, answering=[[a, b]])

    monday = cand("On Monday 40 pumps were waiting at the depot, officials said.", "c.txt")
    friday = cand("Crews had moved 25 pumps to the river by Friday.", "d.txt")
    assert find_conflicts([monday], [friday], real_embeddings, counted={"pumps"}) == []
    crews = cand("By the time the flood had drained, 12 crews were deployed.", "e.txt")
    assert find_conflicts([a], [crews], real_embeddings, counted={"pumps"}) == []
    # both answer "how many pupils stayed at home", and both count pupils, but not the same
    # pupils: answering one part does not make two counts of one noun a disagreement
    ill = cand("The flu wave infected 900 pupils and kept 40 at home for a week.", "f.txt")
    home = cand("Sixty pupils stayed at home, the head teacher said.", "g.txt")
    assert find_conflicts([ill], [home], real_embeddings, answering=[[ill, home]]) == []


def test_a_sentence_telling_a_change_in_a_count_disputes_no_single_count(
    real_embeddings,  # noqa: ANN001
) -> None:
    """ "27 points before the ruling, down to 21 points" tells a change: neither figure is
    disputed by another source's "six points". A total and its parts, told without a word
    of time or change, still give the total ("13 tugs: 11 harbour tugs and two")."""
    change = cand("Elm Rovers, who had 27 points before the ruling, drop to 21 points.", "a.txt")
    lost = cand("Elm Rovers lost six points when the appeal board ruled.", "b.txt")
    found = find_conflicts([change], [lost], real_embeddings, counted={"points"})
    assert found == []
    total = cand(
        "A total of 13 tugs were deployed: 11 harbour tugs and two seagoing tugs.", "c.txt"
    )
    other = cand("The refloating operation involved a fleet of 14 tugs.", "d.txt")
    found = find_conflicts([other], [total], real_embeddings, counted={"tugs"})
    assert {value for value, _ in found[0].sides} == {"14 tugs", "13 tugs"}


def test_only_the_kind_of_disagreement_the_question_asks_about_is_reported() -> None:
    assert kinds_asked(["date"]) == {"date"}
    assert kinds_asked(["date", "number"]) == {"date", "count", "money"}
    assert "money" in kinds_asked(["number"])  # "how large was the penalty": an amount
    assert kinds_asked(["date", None]) is None  # an open question: any disagreement
    assert kinds_asked(["law"]) == set()  # two dates do not answer "under which act" apart


def test_the_answer_quotes_each_side_of_a_disagreement() -> None:
    """A disagreement's other side replaces a runner-up sentence, right after its
    counterpart, so the reader sees both sources' claims in the answer text."""
    from assistant.answer.compose import unstated_sides, with_other_sides
    from assistant.answer.conflicts import FoundConflict

    chosen = cand("The court ordered the seizure on April 12.", "a.txt")
    runner_up = cand("The ship was held in the lake.", "a.txt")
    other = cand("On 13 April the court ordered the seizure.", "b.txt")
    found = [FoundConflict("the date", [("April 12", chosen), ("13 April", other)], "date")]

    assert unstated_sides(found, [chosen, runner_up]) == [other]
    groups = with_other_sides([[chosen], [runner_up]], found, keep=1, max_sentences=2)
    assert [g[0].text for g in groups] == [chosen.text, other.text]
    # nothing to add when the answer already states both sides
    both = with_other_sides([[chosen], [other]], found, keep=1, max_sentences=2)
    assert [g[0].text for g in both] == [chosen.text, other.text]
    # the sentence that answers a part is never dropped to make room
    kept = with_other_sides([[chosen], [runner_up]], found, keep=2, max_sentences=2)
    assert [g[0].text for g in kept] == [chosen.text, other.text, runner_up.text]


def test_a_hyphened_measure_counts_the_noun_it_describes() -> None:
    (value,) = [v for v in extract_values("A 400-metre ship ran aground.") if v.kind == "count"]
    assert value.holder == "metre ship"


@pytest.mark.slow
def test_answering_one_part_joins_two_values_only_of_its_kind_and_action(
    real_embeddings,  # noqa: ANN001
) -> None:
    """Two dates in sentences that both answer a part are one claim only if the part asks
    when, and each date belongs to the asked action: "issued on April 12 ... and prevents
    the ship from leaving" dates the order, not the leaving."""
    left = cand(
        "The ferry, which was released by the harbour authorities and allowed to leave the "
        "harbour on 8 July following a settlement with the harbour authority, sailed to "
        "Rotterdam.",
        "a.txt",
    )
    order = cand(
        "The order was issued by a court in Dover on Monday, April 12, according to the "
        "harbour authority, and prevents the ferry from leaving the inner basin.",
        "b.txt",
    )
    group = [[left, order]]
    assert find_conflicts([left], [order], real_embeddings, answering=group)  # unqualified
    when = {"date"}
    assert not find_conflicts(
        [left], [order], real_embeddings, answering=group, actions=["leave"], kinds=[when]
    )
    assert not find_conflicts([left], [order], real_embeddings, answering=group, kinds=[{"title"}])
    assert find_conflicts([left], [order], real_embeddings, answering=group, kinds=[when])


def test_a_disagreement_is_about_the_answer_only_when_the_answer_gives_such_a_value() -> None:
    from assistant.answer.conflicts import FoundConflict, about_the_answer

    described = cand("The insurer called the claim largely unsupported.", "a.txt")
    high = cand("The authority claims $916 million from the owner.", "b.txt")
    low = cand("The authority is seeking $900 million from the owner.", "c.txt")
    money = FoundConflict("the amount", [("$916 million", high), ("$900 million", low)], "money")
    assert not about_the_answer(money, [described])  # two runners-up, beside the point
    assert about_the_answer(money, [high])  # the answer states one side
    priced = cand("The insurer offered $150 million to settle.", "d.txt")
    assert about_the_answer(money, [priced])  # the answer gives an amount too

    tugs = FoundConflict("the number of tugs", [("13 tugs", high), ("14 tugs", low)], "count")
    depth = cand("The crews dug around the bow to a depth of 18 metres.", "e.txt")
    more_tugs = cand("Eleven tugs were deployed around the bow.", "f.txt")
    assert not about_the_answer(tugs, [depth])  # a count, but of something else
    assert about_the_answer(tugs, [more_tugs])


@pytest.mark.slow
def test_runners_up_disagreeing_on_what_the_answer_never_states_are_not_reported(
    real_embeddings,  # noqa: ANN001
) -> None:
    described = cand("The insurer described the harbour authority's claim as unfounded.", "a.txt")
    high = cand("The harbour authority claims $916 million from the ferry owner.", "b.txt")
    low = cand("The harbour authority claims $900 million from the ferry owner.", "c.txt")
    question = "How did the insurer describe the harbour authority's claim?"
    assert one_part_conflicts(question, [described, high, low], real_embeddings) == []
    # the same two claims disagree when one of them is what answers the question
    question = "How much compensation does the harbour authority claim?"
    (found,) = one_part_conflicts(question, [high, low], real_embeddings)
    assert {v for v, _ in found.sides} == {"$916 million", "$900 million"}


@pytest.mark.slow
def test_a_question_asking_which_thing_hears_no_disagreeing_counts(
    real_embeddings,  # noqa: ANN001
) -> None:
    """ "Which bacterium ...?" is answered by naming one; two sources counting the samples
    differently do not disagree about that (they do for "how many samples ...?")."""
    from assistant.answer.compose import answer_conflicts
    from assistant.answer.extractive import Evidence
    from assistant.answer.question import analyse
    from assistant.answer.sufficiency import PartDecision, Sufficiency

    a = cand("Of 22 routine samples taken at the reservoir, two held E. coli.", "a.txt")
    b = cand("Of 24 routine samples taken at the reservoir, two held E. coli.", "b.txt")
    for c in (a, b):
        c.score = 1.0
    evidence = Evidence([a, b], 1.0, 1.0, [])
    for question, reported in (
        ("Which bacterium was found in the reservoir samples?", False),
        ("How many routine samples were taken at the reservoir?", True),
    ):
        (part,) = analyse(question).parts
        decided = Sufficiency([PartDecision(part, a, 1.0, answering=[a, b])])
        found = answer_conflicts([a, b], evidence, decided, real_embeddings)
        assert bool(found) is reported, question


@pytest.mark.slow
def test_a_sentence_answering_only_with_its_passages_words_is_not_the_same_claim(
    real_embeddings,  # noqa: ANN001
) -> None:
    """ "The bridge opened in 1974" answers "when was the bridge shut" only with words of
    its passage; its year is another event's, not a disagreement with the closure date."""
    from assistant.answer.compose import answer_conflicts
    from assistant.answer.extractive import Evidence
    from assistant.answer.question import analyse
    from assistant.answer.sufficiency import decide
    from assistant.ingest.text import terms

    shut = cand("The Elm Bridge was shut to all traffic on 16 October 2024.", "a.txt")
    passage = "The Elm Bridge was shut to all traffic last week. The Elm Bridge opened in 1974."
    opened = Candidate(
        Document(page_content=passage, metadata={"source": "b.txt"}),
        51,
        len(passage),
        "The Elm Bridge opened in 1974.",
    )
    for c in (shut, opened):
        c.terms, c.semantic, c.score = frozenset(terms(c.text)), 0.6, 1.0
    analysis = analyse("On what date was the Elm Bridge shut to all traffic?")
    # the asked action weighs most; the bridge's name is the topic every passage names
    weights = {"elm": 1.0, "bridg": 0.5, "shut": 2.0, "traffic": 1.0}
    decided = decide(analysis, [[shut, opened]], lambda p: weights, None)
    (part,) = decided.parts
    assert opened in part.answering and opened not in part.self_answering
    evidence = Evidence([shut, opened], 1.0, 1.0, [])
    assert answer_conflicts([shut, opened], evidence, decided, real_embeddings) == []


@pytest.mark.slow
def test_two_titles_of_one_person_disagree_however_the_sentences_are_worded(
    real_embeddings,  # noqa: ANN001
) -> None:
    """ "What is Dana Reyes's job title?": one source's Chief Operating Officer against
    another's Vice President of Sales, each sentence answering on its own, is reported even
    though the sentences say different things; two people's titles are not compared."""
    a = cand(
        "The ferry line was represented at the hearing by Vice President of Sales Dana Reyes "
        "and by Safety Manager Omar Field.",
        "a.txt",
    )
    b = cand("Chief Operating Officer Dana Reyes said the route would reopen in May.", "b.txt")
    assert find_conflicts([a], [b], real_embeddings) == []  # worded too differently alone
    found = find_conflicts([a], [b], real_embeddings, answering=[[a, b]])
    assert {value for value, _ in found[0].sides} == {
        "Vice President of Sales",
        "Chief Operating Officer",
    }
    other = cand("Chief Operating Officer Lee Park said the route would reopen.", "c.txt")
    assert find_conflicts([a], [other], real_embeddings, answering=[[a, other]]) == []


def test_letters_joined_to_a_number_name_a_model_not_a_count() -> None:
    found = kinds("The LM-480 packs and 300 spare packs were recalled, as were COVID-19 kits.")
    assert found["count"] == ["300 spare packs"]


@pytest.mark.slow
def test_a_word_of_change_inside_a_name_reports_no_change(
    real_embeddings,  # noqa: ANN001
) -> None:
    """ "The Amended Complaint describes a fire on May 3" names a document: its date still
    disagrees with another source's; "the claim was later amended to" reports a change."""
    a = cand("The Amended Complaint describes a fire on May 3, 2024, at a house on Elm Road.", "a")
    b = cand("A house on Elm Road was destroyed by a fire on May 5, 2024, neighbours said.", "b")
    found = find_conflicts([a], [b], real_embeddings, answering=[[a, b]])
    assert {value for value, _ in found[0].sides} == {"May 3, 2024", "May 5, 2024"}
    later = cand("The date of the fire on Elm Road was later amended to May 5, 2024.", "c")
    assert find_conflicts([a], [later], real_embeddings, answering=[[a, later]]) == []


@pytest.mark.slow
def test_a_value_the_question_gives_is_no_side_of_a_disagreement(
    real_embeddings,  # noqa: ANN001
) -> None:
    """ "When was the May 2024 ferry timetable withdrawn?": a source saying the timetable
    of May 2024 was withdrawn on June 3 does not disagree with one saying June 5 by its
    "May 2024"; the two withdrawal dates do disagree."""
    given = cand("The ferry timetable of May 2024 was withdrawn in haste.", "a.txt")
    third = cand("The ferry timetable was withdrawn on June 3, 2024.", "b.txt")
    fifth = cand("The ferry timetable was withdrawn on June 5, 2024.", "c.txt")
    question = "When was the May 2024 ferry timetable withdrawn?"
    found = one_part_conflicts(question, [given, third, fifth], real_embeddings)
    assert [{v for v, _ in f.sides} for f in found] == [{"June 3, 2024", "June 5, 2024"}]


def test_a_title_set_off_by_commas_belongs_to_the_name_before_it() -> None:
    """ "Ana Diaz, Executive Vice President, Operations, said": the title is Ana Diaz's
    ("Operations" is the title's own last word, not a name); a hyphened prefix is part of
    the title ("Pro-Vice-Chancellor")."""
    (vp,) = extract_values("Ana Diaz, Executive Vice President, Operations, said it would.")
    assert (vp.shown, vp.holder) == ("Executive Vice President", "Ana Diaz")
    (coo,) = extract_values("Chief Operating Officer Ana Diaz said it would.")
    assert (coo.shown, coo.holder) == ("Chief Operating Officer", "Ana Diaz")
    (pvc,) = extract_values(
        "It was chaired by Professor Ana Diaz, Pro-Vice-Chancellor for Research."
    )
    assert (pvc.shown, pvc.holder) == ("Pro-Vice-Chancellor for Research", "Professor Ana Diaz")


def test_a_year_naming_a_thing_does_not_date_the_event() -> None:
    """ "the 2021 article was retracted in June 2024": 2021 says which article, so it is no
    date to set against another source's date of the retraction."""
    assert kinds("The 2021 article was retracted in June 2024.")["date"] == ["June 2024"]
    assert "date" not in kinds("Its 2019 paper and the company's 2022 report were withdrawn.")
    assert kinds("In 2021 the article was retracted.")["date"] == ["2021"]


@pytest.mark.slow
def test_a_sentence_answering_in_its_own_words_is_searched_whatever_its_score(
    real_embeddings,  # noqa: ANN001
) -> None:
    """Relevance decides which evidence is searched for a disagreement, but a sentence that
    answers the question on its own is searched even when it scores low."""
    from assistant.answer.compose import answer_conflicts
    from assistant.answer.extractive import Evidence
    from assistant.answer.question import analyse
    from assistant.answer.sufficiency import PartDecision, Sufficiency

    (part,) = analyse("What is Ana Diaz's position?").parts
    a = cand("The panel was chaired by Professor Ana Diaz, Pro-Vice-Chancellor for Research.", "a")
    b = cand("The panel, led by Professor Ana Diaz, the Dean of Medicine, met in May.", "b")
    a.score, b.score = 1.0, 0.3
    decided = Sufficiency([PartDecision(part, a, 1.0, answering=[a, b], self_answering=[a, b])])
    found = answer_conflicts([a], Evidence([a, b], 1.0, 1.0, []), decided, real_embeddings)
    assert {value for value, _ in found[0].sides} == {
        "Pro-Vice-Chancellor for Research",
        "Dean of Medicine",
    }


def test_a_lower_case_title_beside_a_name_is_that_persons_title() -> None:
    """ "Ana Diaz, the port's operations director," and "its chairwoman, Ana Diaz" give
    her titles; the job words stay in the key ("executive director" is not "chairwoman").
    Words that are not a title ("said the director") give none."""
    (ops,) = extract_values("Ana Diaz, the port's operations director, said it would reopen.")
    assert (ops.shown, ops.holder) == ("operations director", "Ana Diaz")
    (chair,) = extract_values("Its chairwoman, Ana Diaz, said the count was orderly.")
    (director,) = extract_values("The trust, whose executive director is Ana Diaz, sent 40.")
    assert (chair.holder, director.holder) == ("Ana Diaz", "Ana Diaz")
    assert not compatible(chair, director)
    (head,) = extract_values("Omar Field, head of inspections at the Elm Road Authority, spoke.")
    assert (head.shown, head.holder) == ("head of inspections", "Omar Field")
    assert [
        v for v in extract_values("It was Omar Field, said the director.") if v.kind == "title"
    ] == []


@pytest.mark.slow
def test_two_lower_case_titles_of_one_person_disagree(real_embeddings) -> None:  # noqa: ANN001
    a = cand("Ana Diaz, plant manager at the Elm Road works, said staff were safe.", "a.txt")
    b = cand("Ana Diaz, the company's operations director, told reporters little.", "b.txt")
    found = find_conflicts([a], [b], real_embeddings, answering=[[a, b]])
    assert {value for value, _ in found[0].sides} == {"plant manager", "operations director"}


def test_a_count_telling_a_difference_disputes_no_total() -> None:
    """ "87 votes ahead", "won by 12 votes", "a margin of just 12 votes" tell how far apart
    two totals are: not comparable with a total ("41,206 votes"), only with another
    difference."""
    (total,) = [v for v in extract_values("Ana Diaz polled 41,206 votes.") if v.kind == "count"]
    for text in (
        "Ana Diaz finished 87 votes ahead.",
        "Ana Diaz won by 12 votes.",
        "Ana Diaz won with a margin of just 12 votes.",
    ):
        (gap,) = [v for v in extract_values(text) if v.kind == "count"]
        assert gap.difference and not comparable(total, gap), text
    (other,) = [v for v in extract_values("Omar Field won by 14 votes.") if v.kind == "count"]
    assert comparable(gap, other)
    (ships,) = [v for v in extract_values("It took the lead of the 40 ships.") if v.kind == "count"]
    assert not ships.difference
