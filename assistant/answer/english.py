"""General English vocabulary, in one place: what question analysis, answer-type checks,
conflict detection and the instruction filter know about the language.

Nothing here knows a corpus: every list is ordinary English (question words, auxiliaries,
nouns that name a kind of answer, verbs that report a decision, words that mark a change).
"""

from __future__ import annotations


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Question words that open a question (or one part of it).
WH_WORDS = _words("who whom whose what when where which why how")
# Auxiliaries that open a yes/no question.
AUXILIARIES = _words(
    "is are was were do does did has have had can could will would should may might must"
)
# Prepositions that may stand before a question word ("and under what act").
PREPOSITIONS = _words(
    "under in on at for by from to with within against about after before during since "
    "into behind of over between among across through toward towards like per"
)
# Conjunctions that open a subordinate clause: a name before one and a role after it
# belong to different clauses ("reported it to DEP on Monday, after operators reviewed").
SUBORDINATORS = _words(
    "after although because before once since though unless until when whenever whereas while"
)
# Words that open a noun phrase, and pronouns that stand for one.
DETERMINERS = _words("a an the its their his her our my your this that these those")
PERSONAL_PRONOUNS = _words("i you he she it we they him them us me")
# After a count of time units, words that make it a point in time ("two days after it
# ran aground", "a week ago"), unless a preposition of duration stands before it ("for
# two days after the storm").
TIME_OFFSET_WORDS = _words("after ago before beforehand earlier later since")
DURATION_PREPOSITIONS = _words("during for over throughout within")
# Units of time: "for how many days" names no subject of its own.
TIME_UNITS = _words(
    "second seconds minute minutes hour hours day days night nights week weeks month months "
    "year years decade decades"
)
# Adverb particles that make a verb idiomatic ("carried out", "set up", "signed off"): the
# verb alone then says little about the meaning, which sources phrase in other words.
PARTICLES = _words("away back down off out up")
# Idioms in which a verb and a noun together only say that something happens or starts
# ("when did the ban take effect"): neither word is what the question is about.
EVENT_IDIOMS = {
    "take": _words("effect place"),
    "come": _words("effect force"),
    "go": _words("effect"),
    "enter": _words("force"),
}
# Nouns for people, roles and organisations: a question about one wants a name.
NAME_NOUNS = _words(
    "agencies agency analyst analysts army association auditor auditors authorities "
    "authority bank banks board boards bodies body bureau business businesses cabinet "
    "captain ceo chair chairman chairperson chairwoman chief citizens city club "
    "commission commissioner committee companies company congress council councils "
    "counsel countries country court courts crew department director doctor doctors "
    "employee employees engineer engineers executive expert experts federation firm firms "
    "founder government governor group groups head hospital inspector inspectors "
    "institute insurer insurers investigator investigators journalist journalists judge "
    "judges justice lawyer lawyers leader maker makers manager manufacturer manufacturers "
    "mayor member members minister ministers ministry name navy nurse nurses officer "
    "officers official officials operator operators organisation organisations "
    "organization organizations owner parliament parties party people person pilot pilots "
    "police president prosecutor region regulator reporter reporters researcher "
    "researchers residents retailer retailers scientist scientists secretary senate "
    "service spokesman spokesperson spokeswoman staff state states students supplier "
    "suppliers teachers team tribunal union unions university voters worker workers"
)
# Words that leave a noun unidentified: "a supplier", "some officials", "another firm".
INDEFINITE_WORDS = _words("a an another any one several single some unnamed unidentified")
# Words that identify the noun they stand before ("the board", "its auditors").
DEFINITE_WORDS = _words("the this that these those its their his her our")
# Nouns that say the answer is a date.
DATE_NOUNS = _words("date day deadline month time year")
# Nouns that say the answer is a quantity.
QUANTITY_NOUNS = _words(
    "amount budget capacity compensation cost costs count damages fee figure fine fines "
    "height length number payment "
    "penalty percent percentage population price profit rate revenue revenues salary "
    "sales share size speed sum total value weight width"
)
# The units a number must carry to answer "how tall / deep / far / fast / heavy" ("how
# high" and "how strong" also ask of levels and rates, "how big" of amounts, "how long"
# of spans of time as often as of lengths: left out).
_LENGTH_UNITS = _words(
    "centimetres centimeters cm feet foot ft inches kilometre kilometres kilometer kilometers "
    "km m metre metres meter meters mile miles yards"
)
MEASURE_UNITS: dict[str, frozenset[str]] = {
    **dict.fromkeys(("tall", "deep", "wide", "far"), _LENGTH_UNITS),
    "fast": _words("knot knots km/h kph mph mi/h"),
    "heavy": _words("kg kilograms kilogrammes kilos lb lbs pounds tonnes tons tonne ton"),
    "old": _words("year years"),  # "how old is she": "54 years old", "a 67-year-old man"
}
# Words telling that a count is a difference between two others: "87 votes ahead", "a
# margin of 12", "a gap of 87" (and "won by 12 votes").
DIFFERENCE_AFTER = frozenset({"ahead", "behind", "more", "fewer", "less", "clear"})
DIFFERENCE_BEFORE = frozenset({"margin", "gap", "lead", "majority", "difference"})
# Units of measure: a number in one measures, it counts no thing ("3,500 nautical miles").
MEASURE_UNIT_WORDS = TIME_UNITS.union(*MEASURE_UNITS.values())
# Words after "how" that ask for a measure: "how many", "how deep", "how strong".
MEASURE_WORDS = _words(
    "big cold deep far fast hard heavy high hot large long loud many much old strong tall "
    "thick warm wide"
)
# Verbs of motion (lemmas): in a "where" question they only say the answer is a
# destination ("where was it going", "where was the ship taken").
MOTION_VERBS = _words(
    "bring carry deliver drive fly go haul head move proceed relocate return sail send "
    "steam take tow transfer transport travel"
)
# Words that make a quantity an amount of money.
MONEY_WORDS = _words(
    "budget compensation cost costs damages earn earned fee fees fine fines funding loss "
    "losses money paid pay pays penalty price profit profits revenue revenues salary sales "
    "settlement spend spent value worth"
)
# Nouns that say the answer is a law or a part of one.
LAW_NOUNS = _words(
    "act acts article articles bill clause code convention directive law laws legislation "
    "provision provisions regulation regulations rule rules section sections statute "
    "statutes subsection treaty"
)
# The numbered parts of a law: "which subsection" asks for "subsection 25.4(1)", not the
# law's title.
PROVISION_NOUNS = _words(
    "article articles chapter chapters clause clauses paragraph paragraphs provision "
    "provisions rule rules schedule schedules section sections subparagraph subparagraphs "
    "subsection subsections"
)
# Verbs that report what a decision-maker decided ("what did the court decide").
OUTCOME_VERBS = _words(
    "accept accepted acquit acquitted agree agreed allow allowed allows approve approved "
    "approves award awarded conclude concluded concludes convict convicted decide decided "
    "decides decline declined denied denies deny determine determined dismiss dismissed "
    "dismisses find finds fine fined found grant granted grants held hold holds order "
    "ordered overturn overturned quash quashed refuse refused refuses reject rejected "
    "rejects rule ruled rules sentence sentenced settle settled upheld uphold upholds "
    # decisions that end, undo or restore something
    "annul annulled cancel canceled cancelled reinstate reinstated reverse reversed "
    "revoke revoked terminate terminated vacate vacated"
)
# Words that make a claim hold only until a matter is settled ("resumed operations pending
# the ruling on the stay"): how that matter was settled is news the reader must see.
PENDING_WORDS = _words("awaiting pending until")
# Words that put a "when" question in the future ("when will the court hear it", "when is
# the next inspection scheduled"), and those by which a sentence tells of what is to come
# ("is scheduled to begin in January", "a hearing was set for 22 May", "would reopen").
FUTURE_WORDS = _words("due expected forthcoming next planned scheduled shall upcoming will")
FUTURE_MARKERS = FUTURE_WORDS | _words("expects fixed intends plans set would")
# Words that make a clause a condition, not a report ("harm if no stay is granted").
CONDITION_WORDS = _words("if lest unless whether")
# Nouns that ask for a decision.
OUTCOME_NOUNS = _words("decision judgement judgment outcome result ruling verdict")
# Nouns asking for a role or position, answered by a title that may be lower case.
ROLE_NOUNS = _words("capacity job office position post rank role title")
# Nouns asking for an organisation's top person ("who is the head of X"), and the titles
# that person holds; a title after one of NOT_THE_TOP is someone else's ("vice president").
LEADER_ROLES = _words("boss head leader")
# Verbs (lemmas) saying someone leads something: "who heads the authority" asks who is
# its head, "who chaired the panel" who presided over it. ("Lead" and "run" are left
# out: "who led the rescue", "who ran the ship aground" ask of an action.)
LEADING_VERBS = _words("chair head preside")
LEADER_TITLES = (
    "chief executive",
    "ceo",
    "president",
    "chair",
    "chairman",
    "chairwoman",
    "chairperson",
    "convener",
    "convenor",
    "coordinator",
    "executive director",
    "managing director",
    "presiding",
    "director general",
    "director-general",
    "head",
    "leader",
)
NOT_THE_TOP = _words("acting-deputy assistant associate deputy vice")
# The words of those titles a keyword search can look for ("director" and "managing" name
# other people too often to find the head).
LEADER_SEARCH_WORDS = _words(
    "ceo chair chairman chairperson chairwoman chief executive head leader president"
)
# A title's last word that says only "a holder of office": in "chief executive officer"
# the role is the chief executive ("Chief Executive Ana Diaz" holds it).
OFFICE_HOLDER_NOUNS = _words("officer official")
# Words of a question that only frame what is asked.
FRAME_WORDS = _words(
    "according actually also called doing done exactly happen happened kind mean meant "
    "name named "
    "precisely really sort specifically still type "
    # verbs of opinion frame what someone holds to be so ("how much did X reckon ...")
    "believe believed believes guess guessed reckon reckoned reckons suppose supposed "
    "think thinks thought "
    # ... and so do verbs of expectation ("what did she predict would happen to the suit")
    "anticipate anticipated anticipates forecast forecasts "
    "predict predicted predicts "
    # exclusions frame what the answer leaves out ("apart from X, which countries ...")
    "apart aside besides except excluding "
    # sequence adverbs place the asked event after one just told ("where did it go next")
    "afterward afterwards next subsequently thereafter "
    # placeholder nouns stand for something named elsewhere ("take the matter to court")
    "matter matters situation stuff thing things"
)
# Nouns that ask for a place ("which country", "what port"): one capitalized word after
# "in", "to", "from" answers ("headquartered in China").
PLACE_NOUNS = _words(
    "capital capitals cities city continent continents countries country county district "
    "island islands location locations nation nations place places port ports province "
    "provinces region regions site sites state states town towns village villages"
)
# Type nouns too general to be focus words ("which company", "what date").
GENERIC_TYPE_NOUNS = _words(
    "amount bodies body companies company count date day figure firm firms group groups "
    "kind money month name names number organisation organization people person sum time total "
    "type value year"
)
# Words that make two values true at different times: a change, or a time contrast.
CHANGE_WORDS = _words(
    "amended cut decreased decreases doubled extended halved increased increases initially "
    "later lowered lowers originally previously raised raises reduce reduced reduces "
    "reducing revised revises shortened subsequently trimmed trims updated"
)
# In a sentence, only the past forms report an outcome ("the order" is not "ordered").
OUTCOME_REPORTS = frozenset(
    w for w in OUTCOME_VERBS if w.endswith("ed") or w in ("found", "held", "upheld")
)
# Words and phrases that give a reason.
REASON_MARKERS = (
    "because",
    "due to",
    "owing to",
    "since",
    "as a result",
    "reason",
    "reasons",
    "grounds",
    "on the basis",
    "given that",
    "so that",
    "in order to",
    "citing",
    "cited",
    "concern",
    "concerns",
    "risk",
    "risks",
    "threat",
    "driven by",
    "led to",
    "outweigh",
    "outweighed",
    "over",
)
TYPE_NOUNS = NAME_NOUNS | DATE_NOUNS | QUANTITY_NOUNS | LAW_NOUNS | OUTCOME_NOUNS | ROLE_NOUNS
MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# Spelled-out numbers and their values.
SPELLED_NUMBERS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "hundred": 100,
    "dozen": 12,
    "thousand": 1000,
    "million": 1000000,
    "billion": 1000000000,
}
