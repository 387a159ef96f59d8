"""The sufficiency decision: answered, partly answered, or not answered, part by part.

Candidates are built by hand (terms, meaning) so each case shows one signal at work;
the real-model behaviour is covered by tests/test_answer_quality.py.
"""

from __future__ import annotations

import numpy as np
import pytest
from langchain_core.documents import Document

from assistant.answer.extractive import Candidate
from assistant.answer.naming import items_of_one_kind, names_in_role
from assistant.answer.question import analyse
from assistant.answer.sufficiency import decide
from assistant.answer.wordforms import derived_forms
from assistant.ingest.text import terms
from assistant.ingest.text import words as text_words


def cand(
    text: str, source: str = "a.txt", semantic: float = 0.5, passage: str = "", publisher: str = ""
) -> Candidate:
    doc = Document(
        page_content=passage or text, metadata={"source": source, "publisher": publisher}
    )
    c = Candidate(doc, 0, len(text), text, semantic=semantic)
    c.terms = frozenset(terms(text))
    return c


def flat(part) -> dict[str, float]:  # noqa: ANN001 - every focus word weighs the same
    return dict.fromkeys([*part.focus, *part.context], 1.0)


def run(question: str, candidates: list[Candidate], context: str = ""):  # noqa: ANN201
    analysis = analyse(question, context)
    return decide(analysis, [candidates] * len(analysis.parts), flat, None)


def first(question: str, candidates: list[Candidate]) -> Candidate | None:
    """The sentence that answers a one-part question."""
    return run(question, candidates).parts[0].sentence


def test_an_on_topic_question_whose_focus_no_sentence_covers_is_not_answered() -> None:
    evidence = [
        cand("Northwind Foods was founded in 1998 in Leeds by Maria Olsen.", semantic=0.6),
        cand("Northwind Foods employs 420 people at its Leeds bakery.", semantic=0.55),
    ]
    result = run("What was Northwind Foods' revenue in 2023?", evidence)
    assert result.status == "not_answered"
    assert "revenue" in result.parts[0].missing
    # the same evidence answers what it does cover
    assert run("How many people does Northwind Foods employ?", evidence).status == "answer"


def test_a_sentence_without_the_answer_type_does_not_answer() -> None:
    evidence = [cand("The mayor announced the closure of the bridge after the inspection.")]
    assert run("When did the mayor announce the closure of the bridge?", evidence).status == (
        "not_answered"
    )
    dated = [*evidence, cand("On 4 May 2022 the mayor announced the closure of the bridge.")]
    result = run("When did the mayor announce the closure of the bridge?", dated)
    assert result.status == "answer"
    assert "4 May 2022" in result.parts[0].sentence.text


def test_a_two_part_question_is_partly_answered_and_says_which_part() -> None:
    evidence = [cand("The regional water board ordered the river closed to swimmers.")]
    result = run("Who ordered the river closed, and when will it reopen?", evidence)
    assert result.status == "partial"
    assert [p.answered for p in result.parts] == [True, False]
    assert result.parts[1].part.text == "when will it reopen"


def test_each_part_gets_its_own_sentence() -> None:
    evidence = [
        cand("The regional water board ordered the river closed to swimmers."),
        cand("The river was closed under the Clean Water Act."),
    ]
    result = run("Who ordered the river closed, and under which act?", evidence)
    assert result.status == "answer"
    assert "water board" in result.parts[0].sentence.text
    assert "Clean Water Act" in result.parts[1].sentence.text


def test_focus_in_the_passage_around_the_sentence_counts() -> None:
    passage = "The Harbour Trust owns the pier. In 2019 it was rebuilt at a cost of $4 million."
    evidence = [cand("In 2019 it was rebuilt at a cost of $4 million.", passage=passage)]
    assert run("How much did rebuilding the Harbour Trust pier cost?", evidence).status == "answer"


def test_a_figure_in_a_sentence_saying_none_of_the_focus_is_not_the_answer() -> None:
    """The passage tells of the sinking, but the sentence's time is the rescuers'."""
    passage = "The ferry sank off the coast on Monday. Rescuers reached the site at 04:30."
    evidence = [cand("Rescuers reached the site at 04:30.", passage=passage, semantic=0.7)]
    assert run("What time did the ferry sink?", evidence).status == "not_answered"


def test_a_year_the_question_names_must_be_the_passage_or_documents_year() -> None:
    """ "How many advisories were issued in 2022?" is not answered by a 2023 report that
    never names 2022; a passage or document of that year answers it."""
    later = cand("The water board issued three boil-water advisories in the county.")
    later.doc.metadata["date"] = "2023-08-21"
    question = "How many boil-water advisories did the water board issue in 2022?"
    assert run(question, [later]).status == "not_answered"
    dated = cand("The water board issued three boil-water advisories in the county.")
    dated.doc.metadata["date"] = "2022-12-30"
    assert run(question, [dated]).status == "answer"
    said = cand(
        "The water board issued three boil-water advisories in the county.",
        passage="Review of 2022. The water board issued three boil-water advisories in the county.",
    )
    assert run(question, [said]).status == "answer"


def test_a_sentence_naming_another_year_gives_no_figure_for_the_asked_one() -> None:
    """ "2024 revenue fell to $188 million" in a passage that also speaks of 2023 gives no
    figure for 2023; a sentence naming one of the asked years may answer."""
    question = "What was the ferry line's revenue in 2023?"
    passage = "The ferry line opened a route in 2023. Its 2024 revenue fell to $188 million."
    other_year = cand("Its 2024 revenue fell to $188 million.", passage=passage)
    assert run(question, [other_year]).status == "not_answered"
    asked_year = cand("The ferry line's 2023 revenue rose to $201 million.", passage=passage)
    assert run(question, [asked_year]).status == "answer"
    span = cand("Between 2019 and 2021 the ferry line's revenue was $40 million a year.")
    assert run("What was the ferry line's revenue in 2019-2021?", [span]).status == "answer"


def test_an_unnamed_body_is_no_answer_to_which_one() -> None:
    """ "A single overseas supplier" does not say which company supplied the cells; "the
    regulator" names the one body it can be."""
    question = "What is the name of the company that supplied the cells to the ferry line?"
    unnamed = [cand("The ferry line buys its cells from a single overseas supplier.")]
    assert run(question, unnamed).status == "not_answered"
    named = [cand("The cells in the ferry line's boats were supplied by the regulator's firm.")]
    assert run(question, named).status == "answer"


def test_how_much_of_a_thing_wants_an_amount_of_that_thing() -> None:
    """An amount of something else (a claim) does not answer "how much state funding";
    "how much money" names only the kind of answer."""
    claim = cand("The town has demanded €9.8 million from the builder of the new bridge.")
    question = "How much state funding has the town received for the new bridge?"
    assert run(question, [claim]).status == "not_answered"
    funded = cand("The town received €2 million in state funding for the new bridge.")
    assert run(question, [claim, funded]).parts[0].sentence is funded
    bond = cand("The town has collected €710,000 from the builder's bond so far.")
    assert run("How much money has the town collected so far?", [bond]).status == "answer"


def test_closeness_in_meaning_lets_a_paraphrased_question_through() -> None:
    sentence = "Lena Park has led the orchestra as music director since 2017."
    close = [cand(sentence, semantic=0.8)]
    far = [cand(sentence, semantic=0.3)]
    question = "Who is in charge of the orchestra's artistic programme these days?"
    assert run(question, close).status == "answer"
    assert run(question, far).status == "not_answered"


def test_a_sentence_all_but_restating_the_question_needs_few_of_its_words() -> None:
    """Most of the question's words are said otherwise ("getting" / "received", "lodging"
    / "filed", "email" / "electronic mail"); only the closest restatement answers."""
    sentence = "The club's appeal was filed 39 days after it received the ruling by post."
    question = (
        "How many days passed between the team getting the verdict by letter and lodging "
        "its complaint?"
    )
    assert run(question, [cand(sentence, semantic=0.85)]).status == "answer"
    assert run(question, [cand(sentence, semantic=0.7)]).status == "not_answered"


def test_a_follow_up_is_judged_with_the_earlier_question() -> None:
    evidence = [
        cand("The regional water board ordered the river closed under the Clean Water Act.")
    ]
    assert (
        run("And under which act?", evidence, context="Who ordered the river closed?").status
        == "answer"
    )


def test_another_inflection_of_a_focus_word_counts_as_the_word() -> None:
    # "held" and "holding" share no stem; the English lemma table joins them.
    question = "How many trucks were held at the border each day?"
    evidence = [cand("The storm is holding up 40 trucks at the border each day.")]
    assert run(question, evidence).parts[0].coverage == 1.0
    other = [cand("The storm is stranding 40 trucks at the border each day.")]
    assert run(question, other).parts[0].coverage < 1.0


def test_how_many_wants_a_number_of_the_thing_it_counts() -> None:
    question = "How many nurses took part in the vaccination campaign?"
    wrong_count = [cand("The vaccination campaign reached 3,000 households in May.")]
    assert run(question, wrong_count).status == "not_answered"
    right_count = [cand("About 120 nurses took part in the vaccination campaign.")]
    assert run(question, right_count).status == "answer"


def test_a_number_counting_something_else_gives_no_number_of_the_asked_thing() -> None:
    """ "How many aircraft": a sentence about aircraft whose only number counts hours says
    nothing of how many; a number followed closely by the asked noun, or counting nothing
    it names, may."""
    question = "How many aircraft does Harbour Air fly from Elm Road?"
    hours = [cand("Harbour Air kept passengers aboard parked aircraft at Elm Road for five hours.")]
    assert run(question, hours).status == "not_answered"
    fleet = [cand("Harbour Air flies 14 twin-engine turboprop aircraft from Elm Road.")]
    assert run(question, fleet).status == "answer"
    bare = [cand("Of the aircraft Harbour Air flies from Elm Road, 12 are leased.")]
    assert run(question, bare).status == "answer"


def test_how_tall_or_how_fast_wants_a_number_in_a_unit_of_that_measure() -> None:
    """ "How tall is the dam": a number of months is no height; "42 metres" is one, as is
    "a 42-metre dam". "How fast": knots or km/h."""
    question = "How tall is the Elm Road dam?"
    months = [cand("The Elm Road dam failed sixteen months after its last inspection.")]
    assert run(question, months).status == "not_answered"
    assert run(question, [cand("The Elm Road dam stands 42 metres tall.")]).status == "answer"
    assert run(question, [cand("The 42-metre Elm Road dam failed.")]).status == "answer"
    fast = "How fast was the Harbour Star travelling when it hit the quay?"
    hours = [cand("The Harbour Star hit the quay two hours after it left, travelling north.")]
    assert run(fast, hours).status == "not_answered"
    knots = [cand("The Harbour Star was travelling at 12 knots when it hit the quay.")]
    assert run(fast, knots).status == "answer"


def test_no_things_at_all_says_how_many() -> None:
    """ "How many injuries ...": "no injuries have been reported" answers (none); "no
    comment" says nothing of injuries."""
    question = "How many injuries were linked to the ferry's new engine?"
    none = [cand("No injuries have been linked to the ferry's new engine, the regulator said.")]
    assert run(question, none).status == "answer"
    other = [cand("The ferry's owner had no comment on the new engine, the regulator said.")]
    assert run(question, other).status == "not_answered"


def test_two_parts_asking_for_dates_take_two_different_dates() -> None:
    evidence = [
        cand("On 4 May the court rejected the appeal and said a hearing would follow."),
        cand("A further hearing on the appeal was fixed for 22 May."),
    ]
    result = run("When did the court reject the appeal, and when is the next hearing?", evidence)
    assert "4 May" in result.parts[0].sentence.text
    assert "22 May" in result.parts[1].sentence.text
    # one sentence holding both dates answers both parts
    both = [cand("The court rejected the appeal on 4 May and fixed a hearing for 22 May.")]
    result = run("When did the court reject the appeal, and when is the next hearing?", both)
    assert result.status == "answer"


def test_a_why_question_is_answered_by_a_sentence_restating_it_with_more() -> None:
    question = "Why did the museum say it would not be liable for the damage?"
    evidence = [
        cand(
            "The museum said that, as a tenant rather than the building's owner, it would "
            "not be liable for the damage to the roof."
        )
    ]
    assert run(question, evidence).status == "answer"
    bare = [cand("The museum would not be liable for the damage.")]
    assert run(question, bare).status == "not_answered"


def test_who_is_the_role_wants_a_name_given_in_that_role() -> None:
    question = "Who is the chief executive of Harbour Foods?"
    other_names = [
        cand("Harbour Foods was fined by the Food Standards Agency after the Leeds inspection.")
    ]
    assert run(question, other_names).status == "not_answered"
    named = [cand("Harbour Foods said its chief executive, Maria Olsen, would step down.")]
    assert run(question, named).status == "answer"
    assert run("Who is the auditor of Harbour Foods?", named).status == "not_answered"


def test_who_does_something_to_x_prefers_a_name_tied_to_x() -> None:
    # The more relevant sentence names someone else; the answer names X's role holder,
    # under X's acronym, by apposition.
    question = "Who runs Lakeside Grain Cooperative?"
    evidence = [
        cand(
            "Lakeside Grain Cooperative said Governor Ana Ruiz visited its silos in March.",
            semantic=0.7,
        ),
        cand("Tom Becker, managing director of LGC, said the harvest was late.", semantic=0.3),
    ]
    decision = run(question, evidence).parts[0]
    assert decision.sentence is evidence[1]


def test_a_name_tied_by_possessive_or_passive_answers_who() -> None:
    question = "Who was steering the ferry when it struck the pier?"
    evidence = [
        cand("The ferry struck the pier at dusk, Harbour Master Paul Grant said.", semantic=0.7),
        cand(
            "The ferry's captain, Ines Moreau, was steering when it struck the pier.", semantic=0.4
        ),
    ]
    assert first(question, evidence) is evidence[1]
    passive = "Who approved the new timetable?"
    evidence = [
        cand("Mayor Lena Ortiz praised the new timetable on Monday.", semantic=0.6),
        cand("The new timetable was approved by Transport Secretary Dan Hale.", semantic=0.5),
    ]
    assert first(passive, evidence) is evidence[1]
    # the agent of another action does not answer first
    chartered = "Who chartered the ferry?"
    evidence = [
        cand("Baltic Lines operates the ferry under a long-term charter, it said.", semantic=0.6),
        cand("The ferry was owned by the shipowner Nordhavn Holdings until 2019.", semantic=0.5),
    ]
    assert first(chartered, evidence) is evidence[0]


def test_a_sentence_saying_the_focus_itself_beats_one_borrowing_it_from_its_passage() -> None:
    question = "Which regulators have fined Harbour Foods?"
    passage = (
        "Harbour Foods was fined by two regulators last year. "
        "The company is based in Leeds and run by Maria Olsen."
    )
    borrowing = cand("The company is based in Leeds and run by Maria Olsen.", passage=passage)
    saying = cand(
        "Harbour Foods has been fined by the Food Standards Agency and the Leeds Council.",
        semantic=0.4,
    )
    decision = run(question, [borrowing, saying]).parts[0]
    assert decision.sentence is saying
    assert decision.answering == [saying, borrowing]  # the borrowing one still answers


def test_which_two_lists_gets_a_sentence_for_each_list() -> None:
    question = "On which two export lists has Corvin Labs been placed?"
    evidence = [
        cand("Corvin Labs has faced export restrictions for years.", semantic=0.8),
        cand("In 2021 Corvin Labs was placed on the Unverified List.", semantic=0.6),
        cand("Corvin Labs was later placed on the Military End User List.", semantic=0.5),
        cand("The Unverified List was updated in 2022 to add Corvin Labs.", semantic=0.5),
    ]
    decision = run(question, evidence).parts[0]
    assert decision.sentence is evidence[1]
    assert decision.more == [evidence[2]]  # a new list, not the same one again


def test_how_strong_was_the_wind_prefers_a_number_about_the_wind() -> None:
    question = "How strong was the wind when the ferry capsized?"
    evidence = [
        cand("The 120-metre ferry capsized on Tuesday near the harbour mouth.", semantic=0.7),
        cand("The ferry capsized in a storm, with wind gusts of 60 knots.", semantic=0.5),
    ]
    assert first(question, evidence) is evidence[1]


def test_which_two_things_named_otherwise_gets_the_sentence_listing_two() -> None:
    question = "Which two rescue boats reached the trawler first?"
    evidence = [
        cand("Two rescue boats reached the trawler first, the coastguard said.", semantic=0.8),
        cand(
            "The rescue boats Sea Lark and Morning Star reached the trawler first, "
            "before the Coastguard helicopter.",
            semantic=0.6,
        ),
    ]
    assert first(question, evidence) is evidence[1]


def test_who_did_something_prefers_a_sentence_saying_someone_did_it() -> None:
    evidence = [
        cand("The tugs Sea Lark and Morning Star were deployed by the port on Monday."),
        cand("Captain Ines Moreau steered the Sea Lark through the storm.", semantic=0.4),
    ]
    assert first("Who steered the tug Sea Lark?", evidence) is evidence[1]


def test_how_much_of_a_thing_prefers_a_number_about_that_thing() -> None:
    evidence = [
        cand("Around 20 ships carrying livestock were stuck near the canal.", semantic=0.7),
        cand("The stuck ships were carrying 4,000 tonnes of fuel between them.", semantic=0.4),
    ]
    assert (
        run("How much fuel were the stuck ships carrying?", evidence).parts[0].sentence
        is (evidence[1])
    )


def test_how_long_was_it_closed_wants_a_span_of_time() -> None:
    evidence = [
        cand("The 300-metre bridge was closed after the crash on 4 May.", semantic=0.7),
        cand("The bridge was closed for six days while engineers checked it.", semantic=0.5),
    ]
    assert first("How long was the bridge closed?", evidence) is evidence[1]


def test_which_judge_prefers_a_name_given_in_that_role() -> None:
    question = "Which judge decided the bakery's appeal?"
    evidence = [
        cand("Harbour Foods said the appeal decision by the High Court was unfair.", semantic=0.7),
        cand(
            "High Court, Leeds, 3 March 2024; Judge Alan Reeve.",
            semantic=0.3,
            passage="The bakery's appeal, decided in Leeds. High Court, Leeds, 3 March 2024; "
            "Judge Alan Reeve.",
        ),
    ]
    assert first(question, evidence) is evidence[1]


def test_a_refusal_says_what_the_sources_do_not_say_when_they_use_every_word() -> None:
    from assistant.answer.citations import refusal_text
    from assistant.answer.compose import looked_for, mentioned_without_answer

    evidence = [cand("The court heard the bakery's appeal in Leeds.")]  # no outcome
    result = run("What did the court decide?", evidence)
    assert result.status == "not_answered"
    assert looked_for(result) == []
    assert refusal_text(looked_for(result), mentioned_without_answer(result)) == (
        'The indexed sources don\'t answer this: they mention "court", but no passage says '
        "what was decided or found."
    )
    # a word no source uses is still the thing named
    unused = run("What was the bakery's revenue in 2023?", evidence)
    assert refusal_text(looked_for(unused), mentioned_without_answer(unused)).endswith(
        'nothing in them covers "revenue" or "2023".'
    )


def test_where_prefers_a_place_after_a_preposition_to_any_other_name() -> None:
    question = "Where was the ferry repaired after the collision?"
    evidence = [
        cand("Nordhavn Holdings said the ferry was repaired after the collision.", semantic=0.7),
        cand(
            "The ferry was repaired at the Aker yard in Bergen after the collision.", semantic=0.5
        ),
    ]
    assert first(question, evidence) is evidence[1]


def test_where_was_it_taken_prefers_the_place_it_went_to() -> None:
    question = "Where was the ferry taken after the collision?"
    evidence = [
        cand("After the collision the ferry, belonging to Nordhavn Holdings, sat in Oslo."),
        cand("After the collision the ferry was towed to the Aker yard in Bergen."),
    ]
    assert first(question, evidence) is evidence[1]


def test_which_two_routes_gets_the_sentence_listing_two_of_one_kind() -> None:
    """The routes are named otherwise ("procedure"), and not by capitalized names."""
    question = "Which two routes to approval are closed to imported boilers?"
    barred = cand("Imported boilers are barred from approval, the ministry said.")
    listing = cand(
        "Imported boilers cannot be approved under either the type-test procedure "
        "or the self-declaration procedure."
    )
    assert first(question, [barred, listing]) is listing
    assert items_of_one_kind(listing.text) == 2
    assert items_of_one_kind("The ship and its crew stayed in port.") == 0


class _AlikeWords:
    """A word matcher for which ``alike`` words are one meaning and all others unrelated."""

    def __init__(self, *alike: str) -> None:
        self.alike = set(alike)

    def vectors(self, texts: list[str]) -> dict[str, np.ndarray]:
        out = {}
        for i, word in enumerate(texts):
            vec = np.zeros(len(texts) + 1)
            vec[0 if word in self.alike else i + 1] = 1.0
            out[word] = vec
        return out


def test_a_word_like_the_role_that_ends_a_name_is_part_of_the_name() -> None:
    """Titles come before names ("Madam Justice X"); "Holdings Ltd." ends a company's name
    and holds no shareholder's role, though the two words are alike in meaning."""
    matcher = _AlikeWords("shareholder", "ltd", "justice", "judge")
    company = cand("Harbour Foods Holdings Ltd. reported record sales in Leeds.")
    assert not names_in_role(company, "shareholder", set(), matcher)  # type: ignore[arg-type]
    holder = cand("Its largest shareholder, Maria Olsen, sold her stake in June.")
    assert names_in_role(holder, "shareholder", set(), matcher)  # type: ignore[arg-type]
    judge = cand("The motion was heard by Madam Justice Furlanetto in Toronto.")
    assert names_in_role(judge, "judge", set(), matcher)  # type: ignore[arg-type]
    bureau = cand("The list is kept by the Public Safety and Homeland Security Bureau.")
    assert names_in_role(bureau, "bureau", set(), _AlikeWords())  # type: ignore[arg-type]


def test_a_name_and_a_role_in_different_clauses_say_nothing_of_who_holds_it() -> None:
    """ "Reported it to the DEP on Monday, after operators reviewed the logs" names no
    operator: the name and the role word stand in different clauses."""
    matcher = _AlikeWords()
    apart = cand("The board reported the fault to the DEP on Monday, after operators checked.")
    assert not names_in_role(apart, "operator", set(), matcher)  # type: ignore[arg-type]
    named = cand("The fault was reported on Monday by operator Dana Kowalski.")
    assert names_in_role(named, "operator", set(), matcher)  # type: ignore[arg-type]


def test_what_did_x_find_prefers_the_sentence_saying_x_found() -> None:
    """An outcome word in a condition ("if no stay is granted") ranks first, yet the
    sentence saying what the judge found answers "what did the judge find"."""
    question = "What did the judge find about the balance of convenience?"
    test = cand(
        "To obtain a stay the applicants must show irreparable harm if no stay is granted "
        "and a balance of convenience in their favour.",
        semantic=0.6,
    )
    found = cand(
        "The judge found that the balance of convenience favoured the public, so the stay "
        "was not granted.",
        semantic=0.5,
    )
    assert first(question, [test, found]) is found


def test_a_passage_speaks_for_its_publisher() -> None:
    """A court's ruling need not name the court in each paragraph."""
    question = "What did the appeals court decide about the injunction?"
    text = "The judge dismissed the motion for an injunction, with costs."
    assert run(question, [cand(text)]).status == "not_answered"
    ruling = cand(text, publisher="Appeals Court of Ontario")
    assert run(question, [ruling]).status == "answer"


def test_who_did_it_prefers_the_subject_of_the_asked_verb() -> None:
    """ "Who ordered the closure": the body that ordered, not the order itself."""
    question = "Who ordered the closure of the Leeds plant?"
    the_order = cand(
        "The order, issued in June by Harbour Foods Group, required the Leeds plant to close.",
        semantic=0.6,
    )
    ordered = cand("The regional council ordered Harbour Foods to close the Leeds plant.")
    assert first(question, [the_order, ordered]) is ordered


def test_a_noun_and_the_verb_it_is_made_from_say_the_same() -> None:
    """ "the closure" is said by "closed", "employ" by "employees" (English derivation)."""
    closed = [cand("The regional council closed the Leeds plant on 3 June 2024.")]
    assert run("When was the closure?", closed).status == "answer"
    staff = [cand("Harbour Foods has 420 employees at its Leeds bakery.")]
    assert run("How many people does it employ?", staff).status == "answer"
    assert derived_forms("door") == frozenset()  # "do" + "or" is no derivation
    assert "fine" not in derived_forms("final")  # an adjective is seldom made from a verb
    assert "could" not in derived_forms("canal")  # "can" + "al": no verb of substance


def test_among_sentences_admitted_for_their_meaning_the_closest_answers() -> None:
    """Neither sentence says enough of "set up shop" in words; the one closer in meaning
    to the question answers, whatever order retrieval gave them."""
    filed = cand("The bakery filed its yearly accounts in 2023.", semantic=0.66)
    opened = cand("The bakery opened its doors in 2014.", semantic=0.8)
    question = "In which year did the bakery first set up shop in Leeds?"
    assert first(question, [filed, opened]) is opened
    assert first(question, [opened, filed]) is opened


def test_according_to_a_source_prefers_the_figure_that_source_gives() -> None:
    """ "..., according to the Harbour Gazette": the figure given as the Gazette's, though
    another sentence names the counted thing and comes first."""
    hourly = cand("About $2 million of grain waits an hour, the ministry said.")
    gazette = cand("About $48 million of goods wait each day, the Harbour Gazette reported.")
    question = "How much grain waits each day, according to the Harbour Gazette?"
    assert first(question, [hourly, gazette]) is gazette
    published = cand("About $48 million of goods wait each day.", publisher="The Harbour Gazette")
    assert first(question, [hourly, published]) is published


def test_which_country_is_answered_by_a_single_place_name() -> None:
    (part,) = analyse("Which country is the bakery headquartered in?").parts
    assert part.answer_type == "place"
    vague = cand("The bakery has faced restrictions from major countries for years.")
    placed = cand("The bakery is headquartered in Portugal, its owners said.")
    assert first("Which country is the bakery headquartered in?", [vague, placed]) is placed


def test_the_head_of_an_organisation_holds_its_top_title_and_no_other_bodys() -> None:
    """ "Who is the head of the ferry line": its chief executive or president, not a vice
    president, and not the chief executive of another body the sentence names."""
    matcher = _AlikeWords()
    words = set(text_words("who is the head of the ferry line"))
    top = cand("Ana Diaz, the ferry line's chief executive, said the route would reopen.")
    assert names_in_role(top, "head", words, matcher)  # type: ignore[arg-type]
    president = cand("The route will reopen in May, said President Omar Field.")
    assert names_in_role(president, "head", words, matcher)  # type: ignore[arg-type]
    vice = cand("The route will reopen in May, said Vice President Omar Field.")
    assert not names_in_role(vice, "head", words, matcher)  # type: ignore[arg-type]
    other = cand("Ana Diaz, the port's chief executive, said the route would reopen.")
    assert not names_in_role(other, "head", words, matcher)  # type: ignore[arg-type]


def test_an_officers_title_is_held_only_with_all_its_words() -> None:
    """A chief operating officer is not the chief executive officer; "CEO" and "chief
    executive" are."""
    matcher = _AlikeWords()
    words = set(text_words("who is the chief executive officer of harbour foods"))
    role = ("chief", "executive", "officer")
    coo = cand("Tom Becker, Harbour Foods' chief operating officer, said sales rose.")
    assert not names_in_role(coo, "executive", words, matcher, role)  # type: ignore[arg-type]
    for text in (
        "Harbour Foods chief executive Maria Olsen said sales rose.",
        "Harbour Foods CEO Maria Olsen said sales rose.",
        "Sales rose, said Maria Olsen, chief executive officer of Harbour Foods.",
    ):
        assert names_in_role(cand(text), "executive", words, matcher, role), text  # type: ignore[arg-type]
    elsewhere = cand("Sales rose, said Maria Olsen, chief executive officer of Leeds Mills.")
    assert not names_in_role(elsewhere, "executive", words, matcher, role)  # type: ignore[arg-type]


def test_no_one_is_named_in_a_role_said_of_someone_unnamed_or_of_a_body() -> None:
    """ "She was confident a federal judge would dismiss it" names no judge; "the District
    Court for the Southern District" is a court, not a judge, though the words are alike."""
    matcher = _AlikeWords("judge", "court", "justice")
    words = set(text_words("what is the name of the judge who ruled on the appeal"))
    unnamed = cand("Ana Diaz said she was confident a federal judge would dismiss the appeal.")
    assert not names_in_role(unnamed, "judge", words, matcher)  # type: ignore[arg-type]
    court = cand("The U.S. District Court for the Southern District of Ohio denied the appeal.")
    assert not names_in_role(court, "judge", words, matcher)  # type: ignore[arg-type]
    judge = cand("The appeal was denied by Madam Justice Furlanetto in Toronto.")
    assert names_in_role(judge, "judge", words, matcher)  # type: ignore[arg-type]


def test_the_acronym_ceo_is_held_by_a_chief_executive_of_the_body_asked() -> None:
    """ "Who is the CEO of Harbour Foods": a chief executive (officer), in any case, holds
    it; one of another body does not, even when "and" joins two titles before "of"."""
    matcher = _AlikeWords("ceo", "executive")
    words = set(text_words("who is the ceo of harbour foods"))
    for text in (
        "Harbour Foods chief executive Maria Olsen said sales rose.",
        "Sales rose, said Maria Olsen, President and Chief Executive Officer of Harbour Foods.",
    ):
        assert names_in_role(cand(text), "ceo", words, matcher), text  # type: ignore[arg-type]
    for text in (
        "Sales rose, said Maria Olsen, president and chief executive officer of Leeds Mills.",
        "Sales rose, said Maria Olsen, chief executive officer of Leeds Mills.",
        "Tom Becker, Harbour Foods' chief operating officer, said sales rose.",
    ):
        assert not names_in_role(cand(text), "ceo", words, matcher), text  # type: ignore[arg-type]


def test_a_complaint_is_what_complaining_makes() -> None:
    assert "complaint" in derived_forms("complained")
    assert "complain" in derived_forms("complaint")


def test_which_company_did_it_wants_a_sentence_telling_of_that_action() -> None:
    question = "Which company manufactured the feed pump that failed at the Elm Road plant?"
    about_the_pump = [
        cand(
            "Plant manager Ana Diaz said the feed pump at the Elm Road plant failed in a "
            "power surge.",
            semantic=0.68,
        ),
        cand("Harbour Water Ltd runs the Elm Road plant for the county.", semantic=0.6),
    ]
    assert run(question, about_the_pump).status == "not_answered"
    told = cand("The Elm Road feed pump was manufactured by Corvel Industries.", semantic=0.6)
    assert first(question, [*about_the_pump, told]) is told


def test_a_sentence_restating_who_did_it_in_other_words_still_answers() -> None:
    restated = cand("Best Buy and Argos reportedly stopped selling Harbour cameras.", semantic=0.8)
    assert first("Which retailers dropped Harbour cameras?", [restated]) is restated


def test_what_was_the_revenue_wants_an_amount_of_revenue_not_of_a_fine() -> None:
    question = "What was Harbour Foods' revenue in 2023?"
    fined = cand("In 2023 the regulator fined Harbour Foods $725,000 for late filings.")
    assert run(question, [fined]).status == "not_answered"
    reported = cand("Harbour Foods reported revenue of $3.4 million for 2023.")
    assert first(question, [fined, reported]) is reported


def test_who_heads_or_chaired_x_is_answered_by_the_holder_of_its_top_title() -> None:
    director = cand(
        '"We are sorry," said Ana Diaz, executive director of the Elm Road Water Board.'
    )
    assert first("Who heads the Elm Road Water Board?", [director]) is director
    chaired = cand("The inquiry committee was chaired by Professor Tom Okafor.", semantic=0.5)
    assert first("Who chaired the inquiry committee?", [chaired]) is chaired
    presiding = cand("Panel: Rosa Lind (Presiding Member), Ian Cole (Member)", semantic=0.4)
    assert first("Who chaired the appeal panel?", [presiding]) is presiding
    # the coordinator of the "Residents Group" heads what "the residents group" names
    coordinator = cand("Mia Stone, coordinator of the Elm Road Residents Group, said so.")
    assert first("Who is the head of the residents group?", [coordinator]) is coordinator


def test_the_body_a_role_belongs_to_does_not_hold_it() -> None:
    question = "Who presided over the panel that fined Harbour Rovers?"
    owner = cand("The panel will be appointed by the Chair of the Judicial Board.", semantic=0.3)
    assert run(question, [owner]).status == "not_answered"
    chaired = cand(
        "The panel that fined Harbour Rovers was chaired by Ruth Okoro KC.", semantic=0.2
    )
    assert first(question, [owner, chaired]) is chaired


def test_when_will_it_happen_wants_a_sentence_telling_of_what_is_to_come() -> None:
    question = "When will the tribunal hear Harbour Foods' appeal?"
    past = [
        cand("The tribunal dismissed Harbour Foods' first appeal on 14 May 2025.", semantic=0.7),
        cand(
            "Harbour Foods has until 24 October to lodge an appeal with the tribunal.", semantic=0.7
        ),
    ]
    assert run(question, past).status == "not_answered"
    listed = cand("The tribunal will hear Harbour Foods' appeal on 3 March 2026.", semantic=0.6)
    assert first(question, [*past, listed]) is listed


def test_a_time_of_day_is_no_count_and_answers_what_time() -> None:
    """ "How many passengers": "at 19:40 the passenger ferry ran aground" counts nobody;
    "What time did the fire start": "at around 2.40am" (minutes after a point) answers."""
    question = "How many passengers were on the Harbour Star when it hit the quay?"
    clock = [cand("At about 19:40 the passenger ferry Harbour Star hit the quay at Elm Road.")]
    assert run(question, clock).status == "not_answered"
    counted = [cand("The Harbour Star had 212 passengers on board when it hit the quay.")]
    assert run(question, counted).status == "answer"
    when = "What time did the fire at the Elm Road depot start?"
    started = [cand("The fire at the Elm Road depot started at around 2.40am on Tuesday.")]
    assert run(when, started).status == "answer"


@pytest.mark.slow
def test_a_figure_in_a_sentence_saying_the_focus_in_other_words_answers(
    real_embeddings,  # noqa: ANN001
) -> None:
    """ "How long did crews take to put out the fire": "firefighters extinguished the blaze
    19 hours after it started" says crews and fire in words of its own, though only its
    passage says them as asked; the rescuers' time still tells nothing of the sinking."""
    from assistant.answer.focus import WordMatcher

    matcher = WordMatcher(real_embeddings)
    said = "Firefighters extinguished the blaze 19 hours after it started."
    passage = f"Fire crews were called to the Elm Road depot fire at night. {said}"
    evidence = [cand(said, passage=passage, semantic=0.6)]
    analysis = analyse("How long did crews take to put out the fire?")
    assert decide(analysis, [evidence], flat, matcher).status == "answer"
    assert decide(analysis, [evidence], flat, None).status == "not_answered"
    passage = "The ferry sank off the coast on Monday. Rescuers reached the site at 04:30."
    rescuers = [cand("Rescuers reached the site at 04:30.", passage=passage, semantic=0.7)]
    sink = analyse("What time did the ferry sink?")
    assert decide(sink, [rescuers], flat, matcher).status == "not_answered"


def test_which_kind_of_company_needs_sources_that_speak_of_that_kind() -> None:
    """ "Which insurance company covers the depot": a company that covers the depot's
    repairs is no insurer when no source speaks of insurance; a source that does answers.
    A plain "which company" needs no such word (a name is a company without saying so)."""
    question = "Which insurance company covers the Elm Road depot?"
    runner = [cand("Harbour Logistics, which runs the Elm Road depot, covers its repairs.")]
    assert run(question, runner).status == "not_answered"
    insurer = [cand("The Elm Road depot is covered by Harbour Mutual, its insurance company.")]
    assert run(question, insurer).status == "answer"
    assert run("Which company covers the Elm Road depot?", runner).status == "answer"


@pytest.mark.slow
def test_a_word_saying_one_asked_term_does_not_also_say_the_asked_verb(
    real_embeddings,  # noqa: ANN001
) -> None:
    """ "Which company printed the ballot papers": "paper" is close to "printed" in meaning,
    but in a sentence about a ballot paper's layout it says the question's "papers", not
    who printed them."""
    from assistant.answer.focus import WordMatcher, says_action

    matcher = WordMatcher(real_embeddings)
    layout = cand("A judge rejected a complaint about the layout of the Elm Road ballot paper.")
    assert says_action(layout, "printed", matcher)  # "paper" alone would say it
    asked = tuple(terms("ballot papers"))
    assert not says_action(layout, "printed", matcher, asked)
    printer = cand("Harbour Press, which prints the Elm Road ballot papers, denied any fault.")
    assert says_action(printer, "printed", matcher, asked)


@pytest.mark.slow
def test_a_focus_word_said_elsewhere_may_still_be_said_otherwise(
    real_embeddings,  # noqa: ANN001
) -> None:
    """ "What penalty did the depot receive": "the depot was fined" says penalty in other
    words, though another sentence says "penalty" as asked."""
    from assistant.answer.focus import WordMatcher

    evidence = [
        cand("The depot was fined £180,000 in 2020.", semantic=0.5),
        cand("A parking penalty notice was issued at the Harbour Street office.", semantic=0.3),
    ]
    analysis = analyse("What penalty did the depot receive?")
    result = decide(analysis, [evidence], flat, WordMatcher(real_embeddings))
    assert result.status == "answer"
    assert result.parts[0].sentence is evidence[0]


@pytest.mark.parametrize(
    ("question", "other_figure", "answer"),
    [
        (  # the votes she won are no age; "a 54-year-old" is one
            "How old is Ruth Okoro, the Elm Road candidate?",
            "Ruth Okoro, the Elm Road candidate, won 41,202 votes.",
            "Ruth Okoro, the Elm Road candidate, is a 54-year-old former engineer.",
        ),
        (  # a span of days measures the voyage; it counts no ships
            "How many ships were diverted around the Cape from Elm Road?",
            "Ships from Elm Road were diverted around the Cape, adding seven to ten days.",
            "40 ships from Elm Road were diverted around the Cape.",
        ),
        (  # a distance counts no ships either
            "How many ships were diverted around the Cape from Elm Road?",
            "Ships from Elm Road were diverted around the Cape, 3,500 nautical miles.",
            "40 ships from Elm Road were diverted around the Cape.",
        ),
        (  # a number joined to its unit is a strength, not how many batches
            "How many batches of Elm tablets were recalled?",
            "Only some batches of Elm 40mg tablets were recalled by Harbour Labs.",
            "Harbour Labs recalled 11 batches of Elm 40mg tablets.",
        ),
    ],
)
def test_a_figure_of_another_measure_does_not_answer(
    question: str, other_figure: str, answer: str
) -> None:
    """ "How old", "how many ships": a number measuring something else (votes, days,
    miles, milligrams) is no answer; one of the kind asked is."""
    assert run(question, [cand(other_figure)]).status == "not_answered"
    assert run(question, [cand(answer)]).status == "answer"


def test_a_date_after_its_document_tells_of_what_was_to_come() -> None:
    """ "When is the trial due to start": "listed to begin in October 2027" in a November
    2025 report tells of the future without a future word; in a 2028 report it is past."""
    question = "When is the Elm Road trial due to start?"
    text = "The Elm Road trial has been listed to begin in October 2027."

    def dated(date: str) -> Candidate:
        c = cand(text)
        c.doc.metadata["date"] = date
        return c

    assert run(question, [dated("2025-11-14")]).status == "answer"
    assert run(question, [dated("2028-01-10")]).status == "not_answered"
