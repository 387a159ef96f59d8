"""Question analysis: parts, answer types, focus words, and answer-type evidence in a sentence."""

from __future__ import annotations

import pytest

from assistant.answer.answer_types import has_answer_type
from assistant.answer.asked import subject_action
from assistant.answer.question import analyse, answer_type, split_parts
from assistant.ingest.text import words as words_of


@pytest.mark.parametrize(
    ("question", "parts"),
    [
        (
            "Who ordered the closure, and under what act?",
            ["Who ordered the closure", "under what act"],
        ),
        (
            "When did the strike start and how many workers joined it?",
            ["When did the strike start", "how many workers joined it"],
        ),
        ("How many dealers and installers operate in Canada?", None),  # one part
        ("According to the union, what caused the strike?", None),  # one part
        ("Which judge decided the motion; what is the case citation?", 2),
    ],
)
def test_split_parts_only_between_question_clauses(
    question: str, parts: list[str] | int | None
) -> None:
    found = split_parts(question)
    if parts is None:
        assert len(found) == 1, found
    elif isinstance(parts, int):
        assert len(found) == parts, found
    else:
        assert found == parts


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Who chairs the board?", "name"),
        ("Which company supplied the pumps?", "name"),
        ("When was the bridge closed?", "date"),
        ("In which year did the firm open its first store?", "date"),
        ("How many stores did it close?", "number"),
        ("How much did the repairs cost?", "money"),
        ("How deep is the new channel?", "number"),
        ("How strong were the winds that night?", "number"),
        ("How did the council react?", None),
        ("What fine did the regulator impose?", "money"),
        ("How big was the fine the regulator imposed?", "money"),  # an amount of a fine
        ("How many fines did the regulator impose?", "number"),  # a count of fines
        ("Under which act was the order made?", "law"),
        ("What did the tribunal decide about the appeal?", "outcome"),
        ("Why did the council reject the plan?", "reason"),
        ("Where was the ship taken?", "place"),
        ("Did the mayor resign?", "polar"),
        ("What position did she hold in the cabinet?", None),
        ("Which two trawlers were seized by the coast guard?", "name"),
        ("Which option did the committee recommend?", None),
    ],
)
def test_answer_type_of_general_questions(question: str, kind: str | None) -> None:
    assert answer_type(question)[0] == kind


def test_focus_leaves_out_question_and_type_words_and_adds_the_earlier_question() -> None:
    part = analyse("And which law was it made under?", "Who ordered the river closed?").parts[0]
    assert part.answer_type == "law"
    assert "law" not in part.focus_words and "which" not in part.focus_words
    assert {"ordered", "river", "closed"} <= set(part.context_words)


@pytest.mark.parametrize(
    ("sentence", "kind", "holds"),
    [
        ("The minister, Anna Berg, signed the order.", "name", True),
        ("The order was signed yesterday.", "name", False),
        ("OTTAWA, Ontario — The order was signed yesterday.", "name", False),
        ("The order was signed by the regional water board.", "name", True),
        ("The software is used to assign pilots to flights.", "name", False),  # which pilots?
        ("The plant closed on March 3, 2024.", "date", True),
        ("The plant closed after a long review.", "date", False),
        ("Forty-two workers lost their jobs.", "number", True),
        ("The plant closed on March 3, 2024.", "number", False),  # a date is not a count
        ("The fine was $2.5 million.", "money", True),
        ("The fine was severe.", "money", False),
        ("The firm is fined 48 million dalers.", "money", True),  # a currency not known
        ("The firm has 48 million customers.", "money", True),  # (its focus word decides)
        ("The firm has 48 customers.", "money", False),
        ("It acted under the Water Resources Act.", "law", True),
        ("The tribunal dismissed the appeal.", "outcome", True),
        ("The tribunal heard the appeal in May.", "outcome", False),
        ("The council terminated both grants in January.", "outcome", True),
        ("The plan was rejected because it cost too much.", "reason", True),
    ],
)
def test_has_answer_type(sentence: str, kind: str, holds: bool) -> None:
    assert has_answer_type(sentence, kind, {"the", "appeal", "decide", "decided"}) is holds


def test_outcome_verb_the_question_itself_uses_is_not_an_answer() -> None:
    asked = {"what", "did", "the", "court", "decide"}
    assert not has_answer_type(
        "It asks the court to stay the order until it is decided.", "outcome", asked
    )
    assert has_answer_type("The court dismissed the motion.", "outcome", asked)


def test_which_subsection_wants_a_numbered_provision_not_the_title_of_the_law() -> None:
    asked = {"under", "which", "subsection", "of", "the", "act"}
    assert has_answer_type("It was made under subsection 25.4(1) of the Act.", "law", asked)
    assert has_answer_type("Section 11 requires a notice.", "law", asked)
    assert not has_answer_type("The review under the Water Resources Act ended.", "law", asked)
    assert has_answer_type("The review under the Water Resources Act ended.", "law", {"act"})
    which_provision = {"which", "provision", "requires", "notice"}
    assert not has_answer_type("The Act requires notice.", "law", which_provision)
    assert has_answer_type("Section 11 of the Act requires notice.", "law", which_provision)


def test_a_single_place_name_after_a_preposition_answers_where() -> None:
    assert has_answer_type("The accord was signed in Lisbon in 2024.", "place", {"signed"})
    assert not has_answer_type("The accord was signed last year.", "place", {"signed"})


def test_the_verb_of_an_idiom_with_a_particle_is_not_a_focus_word() -> None:
    (part,) = analyse("Under which law was the audit carried out?").parts
    assert "audit" in part.focus_words and "carried" not in part.focus_words
    (part,) = analyse("Which law was carried to the committee?").parts
    assert "carried" in part.focus_words


def test_the_head_of_a_noun_phrase_is_its_last_noun() -> None:
    # "cabinet post" asks for a post (a title), not for a cabinet (a name), and "hold"
    # does not make it a question about a court's decision
    (part,) = analyse("What cabinet post did Ana Ruiz hold when she announced it?").parts
    assert part.answer_type is None
    (part,) = analyse("Which federal statute was used?").parts
    assert part.answer_type == "law"


def test_who_is_the_role_and_how_many_of_what() -> None:
    assert analyse("Who is the chief executive of Harbour Foods?").parts[0].role == "executive"
    assert analyse("Who runs Harbour Foods?").parts[0].role is None
    assert analyse("Who is Harbour Foods' largest shareholder?").parts[0].role == "shareholder"
    assert analyse("Who is Harbour Foods Group's auditor?").parts[0].role == "auditor"
    assert analyse("Who was driving the ferry's engine?").parts[0].role is None
    named = analyse("What is the name of Harbour Foods' auditor?").parts[0]
    assert named.role == "auditor"  # asks what "who is Harbour Foods' auditor" asks
    assert analyse("What was the name of the judge?").parts[0].role == "judge"
    # an officer's title names the office; all its words are the role
    officer = analyse("Who is the chief executive officer of Harbour Foods?").parts[0]
    assert officer.role == "executive"
    assert officer.role_words == ("chief", "executive", "officer")
    assert analyse("Who is the judge?").parts[0].role_words == ("judge",)
    assert analyse("How many nurses took part?").parts[0].counted == "nurses"
    assert analyse("How many people took part?").parts[0].counted is None


def test_what_time_wants_a_clock_time_not_a_day() -> None:
    (part,) = analyse("At what time did the ferry leave the harbour?").parts
    assert part.answer_type == "time"
    assert has_answer_type("The ferry left at 15:05 local time.", "time", set())
    assert has_answer_type("It left at 3 p.m. on Monday.", "time", set())
    assert not has_answer_type("It left on Monday afternoon, March 29.", "time", set())
    assert not has_answer_type("Tickets cost 4.50 dollars.", "time", set())
    assert analyse("When did the ferry leave?").parts[0].answer_type == "date"


def test_an_attribution_is_not_what_is_asked() -> None:
    (part,) = analyse("Who ordered the closure, according to the port authority?").parts
    assert "closure" in part.focus_words and "authority" not in part.focus_words


def test_an_acronym_abbreviates_a_name_in_order() -> None:
    from assistant.answer.acronyms import abbreviates

    assert abbreviates("BSM", "Bernhard Schulte Shipmanagement")
    assert abbreviates("BIS", "Bureau of Industry and Security")
    assert abbreviates("U.S.", "United States")
    assert not abbreviates("FC", "Federal Court of Appeal")  # the last word gives a letter
    assert not abbreviates("USA", "United Kingdom")
    assert not abbreviates("SCA", "Schulte Shipmanagement")


def test_apart_from_frames_what_the_answer_leaves_out() -> None:
    part = analyse("Apart from Norway, which countries have banned the pesticide?").parts[0]
    assert "apart" not in part.focus_words
    assert {"norway", "countries", "banned", "pesticide"} <= set(part.focus_words)


def test_which_two_things_asks_for_that_many_of_that_noun() -> None:
    part = analyse("Which two river authorities have banned night fishing?").parts[0]
    assert (part.answer_type, part.items, part.item_noun) == ("name", 2, "authority")
    assert analyse("Which three companies bid?").parts[0].item_noun is None  # generic noun
    assert analyse("Which authority banned it?").parts[0].items == 1


def test_an_event_idiom_is_not_what_the_question_is_about() -> None:
    assert analyse("When did the fishing ban take effect?").parts[0].focus_words == (
        "fishing",
        "ban",
    )
    assert analyse("When did the treaty come into force?").parts[0].focus_words == ("treaty",)
    # the same words outside the idiom stay
    assert "effect" in analyse("What effect did the ban have on sales?").parts[0].focus_words


def test_a_measure_question_names_what_is_measured() -> None:
    assert analyse("How strong was the wind when the ferry capsized?").parts[0].counted == "wind"
    assert analyse("How deep did the divers go?").parts[0].counted is None  # an action


def test_which_two_nouns_before_a_verb_asks_to_name_them() -> None:
    part = analyse("Which two seagoing tugs helped free the ship?").parts[0]
    assert (part.answer_type, part.items, part.item_noun) == ("name", 2, "tug")


def test_how_much_of_a_thing_names_the_thing() -> None:
    assert analyse("How much fuel was the ferry carrying?").parts[0].counted == "fuel"
    assert analyse("How much did the owner offer?").parts[0].counted is None
    assert analyse("How much money was lost each day?").parts[0].answer_type == "money"


def test_a_follow_up_pointing_back_at_the_answer_wants_the_same_kind() -> None:
    earlier = "How much did the council first demand from the contractor?"
    part = analyse("And what did it later cut that to?", earlier).parts[0]
    assert part.answer_type == "number"
    # "that order" names a thing: the follow-up's own kind stands
    assert analyse("Who challenged that order?", "When was the order made?").parts[
        0
    ].answer_type == ("name")
    assert analyse("And what did it later cut that to?").parts[0].answer_type is None


def test_the_pro_verb_done_is_not_a_focus_word() -> None:
    part = analyse("What has the council done about the flooded roads?").parts[0]
    assert part.focus_words == ("council", "flooded", "roads")


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("How long did the strike last?", "duration"),
        ("How long was the bridge closed?", "duration"),
        ("How long is the bridge?", "number"),  # a length
        ("How long is the Golden Gate?", "number"),  # ends on a name, not a participle
    ],
)
def test_how_long_asks_for_a_span_of_time_or_a_length(question: str, kind: str) -> None:
    assert analyse(question).parts[0].answer_type == kind


def test_a_name_and_its_acronym_say_the_same_thing_either_way() -> None:
    from assistant.answer.acronyms import abbreviated_words

    question = "When did the U.S. ban on Corvin Labs take effect?"
    assert abbreviated_words("The United States banned Corvin Labs in 2022.", question) == {"u.s"}
    assert abbreviated_words(
        "BIS listed the firm.", "Why did the Bureau of Industry and Security list it?"
    ) == {"bureau", "industry", "security"}


def test_a_verb_of_motion_in_a_where_question_is_not_a_focus_word() -> None:
    part = analyse("Where was the ferry taken after the collision?").parts[0]
    assert part.answer_type == "place"
    assert "taken" not in part.focus_words and "ferry" in part.focus_words
    follow_up = analyse("Where was it going after that?", "When did the ferry reach Oslo?")
    assert follow_up.parts[0].focus_words == ()  # only the kind, about the earlier question


def test_a_sequence_adverb_is_not_what_a_part_asks_about() -> None:
    """ "where did it go next": "next" places the event after the one just asked about, so
    the part is about the earlier part's subject, not about the word "next"."""
    first, then = analyse("When did the ferry leave the harbour, and where did it go next?").parts
    assert then.answer_type == "place"
    assert "next" not in then.focus_words
    assert set(first.focus) <= set(then.context)


def test_a_part_pointing_back_at_an_earlier_part_asks_for_the_same_kind() -> None:
    """ "..., and what did it later reduce it to?": the same value again, so money."""
    first, then = analyse(
        "What compensation did the council first demand, and what did it later reduce it to?"
    ).parts
    assert first.answer_type == "money"
    assert then.answer_type == "money"


def test_an_open_part_asking_which_thing_is_told_apart() -> None:
    from assistant.answer.question import asks_which_thing

    def which(q: str) -> bool:
        return asks_which_thing(analyse(q).parts[0])

    assert which("Which bacterium turned up in the tests?")
    assert which("What cabinet post did she hold?")
    assert not which("What exactly did the order prohibit?")
    assert not which("What happened next?")
    assert not which("Which court ordered the seizure?")  # a name: its own kind


def test_a_date_the_question_gives_is_no_answer_to_when() -> None:
    """Judged on the question's words, not on their order in a joined set (which varied
    from run to run)."""
    from assistant.ingest.text import words

    asked = set(words("Who put the August 2023 advisory in place, and on what date?"))
    for _ in range(20):  # a fresh set each time: no order may decide
        asked = set(sorted(asked, key=lambda w: hash((w, _))))
        assert not has_answer_type("The August 2023 advisory ended later.", "date", asked)
        assert has_answer_type("The advisory was issued on August 17.", "date", asked)


def test_how_many_of_the_things_counts_the_things() -> None:
    from assistant.answer.asked import counted_noun

    assert counted_noun("How many of the bridge's tendons were damaged?") == "tendons"
    assert counted_noun("How many of its employees lost their jobs?") == "employees"


def test_a_leading_subordinate_clause_says_which_occasion_not_what_is_asked() -> None:
    (part,) = analyse("After the council approved the plan, when will the demolition begin?").parts
    assert part.answer_type == "date" and part.text == "when will the demolition begin"
    assert "council" in part.context_words and "council" not in part.focus_words
    (part,) = analyse("When the ship was freed, how many vessels were waiting?").parts
    assert part.answer_type == "number" and part.counted == "vessels"
    # "when was ..." asks: two parts
    both = analyse("When was the ship freed, and how many vessels were waiting?").parts
    assert [p.answer_type for p in both] == ["date", "number"]


def test_a_part_asking_only_how_long_is_about_the_previous_part() -> None:
    """ "..., and for how many days?" / "..., and for how long?" name no subject of their
    own: each is about the previous part's action, and asks a span of it."""
    first, days = analyse("Which ferry had to skip Leeds harbour, and for how many days?").parts
    assert set(first.focus) <= set(days.context)
    assert "skip" in days.ranking_text
    first, span = analyse("Which firm runs the free shuttle, and for how long?").parts
    assert span.answer_type == "duration"
    assert set(first.focus) <= set(span.context)
    assert analyse("How long is the ferry?").parts[0].answer_type == "number"  # a length


def test_which_federal_law_does_not_need_the_law_to_say_federal() -> None:
    """ "Which federal law": "federal" describes the answer (a federal act need not say it
    is federal); a name ("which Ohio statute") stays what the answer is about."""
    (part,) = analyse("Under which federal law was the ferry recall carried out?").parts
    assert part.answer_type == "law" and "federal" not in part.focus_words
    (part,) = analyse("Which Ohio statute did the plaintiffs cite?").parts
    assert "ohio" in part.focus_words


def test_what_is_the_name_of_asks_for_a_name_whatever_follows() -> None:
    """ "What is the name of the judge who ruled on it" asks for a name, not for what was
    ruled."""
    (part,) = analyse("What is the name of the judge who ruled on the ferry's appeal?").parts
    assert part.answer_type == "name" and part.role == "judge"


def test_a_verb_of_expectation_frames_what_is_asked() -> None:
    """ "What did she predict would happen to the lawsuit": what she said would happen;
    the source says she was confident it would be dismissed, never "predict"."""
    parts = analyse("Who is the ferry line's owner, and what did she predict would happen?")
    assert "predict" not in parts.parts[1].focus_words
    (part,) = analyse("What did the council forecast for the bridge repairs?").parts
    assert part.focus_words == ("council", "bridge", "repairs")


def test_a_manner_adverb_is_not_what_a_part_asks_about() -> None:
    """ "roughly how many", "simply mislabelled": how, or how surely, which a source says in
    its own words; a time contrast ("initially") still says which value is asked."""
    (part,) = analyse("Roughly how many passengers were simply turned away?").parts
    assert {"roughly", "simply"}.isdisjoint(part.focus_words)
    assert "passengers" in part.focus_words
    (part,) = analyse("How much did the city initially ask for?").parts
    assert "initially" in part.focus_words


@pytest.mark.parametrize(
    ("question", "verb"),
    [
        ("Which company manufactured the feed pump that failed?", "manufactured"),
        ("Which firm won the contract to rebuild the pier?", "won"),
        ("Who was fined by the regulator?", None),  # passive: told in too many ways
        ("Who was driving the digger?", None),
        ("Whose own-brand packs were recalled?", None),
        ("Which judge will hear the appeal?", "hear"),
        ("What is the name of the firm that supplied the cells?", "supplied"),
        # the question phrase is not the subject: the lists are where X was placed
        ("On which two lists has Harbour Foods been placed?", None),
        # a light verb or a verb with a particle: the phrase carries the meaning
        ("Who had to pay the fine?", None),
        ("Who set up the charity?", None),
        ("Who is the chief executive of Harbour Foods?", None),
    ],
)
def test_the_action_a_who_question_asks_the_doer_of(question: str, verb: str | None) -> None:
    assert subject_action(question) == verb


def test_a_word_after_a_number_describes_the_number_and_is_no_focus() -> None:
    part = analyse("What did Harbour's 2022-era ban on imports prohibit?").parts[0]
    assert "2022" in part.focus_words
    assert "era" not in part.focus_words
    assert "imports" in part.focus_words


@pytest.mark.parametrize(
    ("question", "role", "words"),
    [
        ("Who heads the Elm Road water board?", "head", ("heads",)),
        ("Who chaired the panel that heard the appeal?", "head", ("chaired",)),
        ("Who is the chair of the board?", "chair", ("chair",)),  # the noun: that title
        ("Who ran the ship aground?", None, ()),  # an action, not a role
        # an official of a named body: the role is the official, not the body
        ("What is the name of the Harbour Board official who led the inquiry?", "official", None),
    ],
)
def test_a_verb_of_leading_asks_for_the_head(question: str, role: str | None, words) -> None:  # noqa: ANN001
    part = analyse(question).parts[0]
    assert part.role == role
    if words is not None:
        assert part.role_words == words


def test_a_numbered_rule_of_a_handbook_is_a_provision() -> None:
    asked = set(words_of("Which provision of the league's handbook did the club break?"))
    assert has_answer_type("The club accepted it breached Rule E.52 of the Handbook.", "law", asked)
    assert not has_answer_type("The club accepted it broke the rules of the league.", "law", asked)


def test_a_role_ends_before_a_clause_describing_it() -> None:
    """ "the pilot flying the helicopter": the role is pilot; "flying the helicopter" says
    which pilot."""
    (part,) = analyse("What was the name of the pilot flying the Elm Road helicopter?").parts
    assert (part.role, part.role_words) == ("pilot", ("pilot",))
    (part,) = analyse("Who was the pilot flying it?").parts
    assert part.role == "pilot"


def test_what_does_it_cost_asks_for_an_amount() -> None:
    """ "What does a pack cost", "what did Elm Road pay": the money word ending the question
    is its verb, so an amount is asked; "decide about the fine" asks an outcome."""
    assert analyse("What does a pack of Elm tablets cost?").parts[0].answer_type == "money"
    assert analyse("What did Elm Road Ferries pay?").parts[0].answer_type == "money"
    assert analyse("What did the court decide about the fine?").parts[0].answer_type == "outcome"


def test_who_is_leading_or_the_boss_asks_for_the_head() -> None:
    """ "Who is leading the inquiry", "who leads the trust", "who is the boss of X" ask who
    heads it; "who led the rescue" asks of an action."""
    for question in (
        "Who is leading the Elm Road inquiry?",
        "Who leads the Elm Road trust?",
        "Who is the boss of Elm Road Ferries?",
    ):
        assert analyse(question).parts[0].role == "head", question
    assert analyse("Who led the Elm Road rescue?").parts[0].role is None


def test_a_part_naming_only_the_kind_of_answer_is_about_the_previous_part() -> None:
    """ "When was the petition filed, and with which court?": the second part asks which
    court the petition was filed with, so it keeps the first part's words; "and which
    company owned it" says what it asks itself."""
    first, court = analyse("When was the Elm Road petition filed, and with which court?").parts
    assert set(court.context_words) >= {"petition", "filed"}
    _, owner = analyse("When did the Elm Star leave, and which company owned it?").parts
    assert owner.context_words == ()
