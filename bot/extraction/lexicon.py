"""Word lists the extraction rules use, as named constants, each with where it comes from.

All verb lists hold lemmas, so every inflection ("estimate", "estimates", "estimating") matches.
Sources: the reporting-verb inventories of PARC 3.0 (Pareti 2016) and of the SFU Gender Gap Tracker,
cue lemmas counted in the PolNeAR development set (Newell, Margolin and Ruths, LREC 2018; lists of
words only, no text), the CoNLL-2010 hedge-cue guidelines (Farkas et al. 2010), and AP style notes on
attribution.
"""

from __future__ import annotations

#: Verbs of saying and reporting that take what is said as a clause or a quote.
SPEECH_VERBS: frozenset[str] = frozenset(
    """
    say tell add write state claim allege warn insist acknowledge announce report confirm deny
    estimate note explain argue declare reveal admit assert contend maintain recall observe respond
    reply answer comment concede conclude emphasize emphasise stress indicate testify quip joke
    complain tweet post predict caution remark repeat reiterate suggest ask inform assure boast brag
    charge counter disclose mention point signal speculate proclaim vow pledge promise threaten
    urge advise recommend propose demand order instruct agree disagree dispute question cite
    describe forecast project calculate reckon figure guess surmise lament concur grumble
    retort shout whisper cry scream yell recount narrate relate affirm certify verify attest
    specify clarify elaborate continue begin conclude summarize summarise add reaffirm publish
    broadcast release email text message blog read
    """.split()
)

#: Phrasal verbs of saying: the verb with its particle ("she went on", "he fired back").
PHRASAL_SPEECH_VERBS: frozenset[tuple[str, str]] = frozenset(
    {
        ("go", "on"),
        ("point", "out"),
        ("fire", "back"),
        ("shoot", "back"),
        ("hit", "back"),
        ("chime", "in"),
        ("lash", "out"),
        ("spell", "out"),
        ("cry", "out"),
        ("speak", "out"),
        ("speak", "up"),
        ("write", "back"),
        ("sum", "up"),
        ("weigh", "in"),
        ("pipe", "up"),
        ("break", "in"),
    }
)

#: Verbs of thought, belief and perception: PolNeAR counts them as attribution cues too
#: ("think", "believe", "know" make up about 3% of its cues).
COGNITION_VERBS: frozenset[str] = frozenset(
    """
    think believe know feel fear hope expect worry doubt suspect assume presume consider judge
    understand realize realise recognize recognise wonder learn
    find discover decide conclude notice accept acknowledge
    """.split()
)

#: Evidence verbs whose subject is a poll, study or document ("a poll shows that ...").
EVIDENCE_VERBS: frozenset[str] = frozenset(
    "show find suggest indicate reveal demonstrate confirm read imply rule".split()
)

#: Verbs of wanting and intending that take an infinitive ("wants to ...", "plans to ...").
INTENT_VERBS: frozenset[str] = frozenset(
    """
    want plan seek hope promise pledge vow threaten refuse decline offer agree aim expect
    wish propose vote urge ask call encourage push press
    """.split()
)

#: Reporting verbs that also take a plain noun object as what is said ("denied the report",
#: "announced a plan"); PolNeAR annotates these objects as content.
NOUN_OBJECT_CUES: frozenset[str] = frozenset(
    """
    announce confirm deny reveal propose criticize criticise praise defend reject dismiss predict
    endorse oppose question cite describe blame accuse condemn applaud decry
    acknowledge admit recommend demand request promise pledge vow call want back slam blast attack
    tout hail commend fault accuse label brand dub characterize characterise
    """.split()
)

#: Verbs whose content follows a preposition ("called for a ban", "referred to the deal").
PREPOSITION_CUES: dict[str, frozenset[str]] = {
    "call": frozenset({"for"}),
    "refer": frozenset({"to"}),
    "point": frozenset({"to"}),
    "focus": frozenset({"on"}),
    "talk": frozenset({"about"}),
    "speak": frozenset({"about", "of"}),
    "ask": frozenset({"about"}),
    "warn": frozenset({"of", "about", "against"}),
    "complain": frozenset({"about", "of"}),
    "comment": frozenset({"on"}),
    "push": frozenset({"for"}),
    "argue": frozenset({"for", "against"}),
    "advocate": frozenset({"for"}),
    "testify": frozenset({"about"}),
    "boast": frozenset({"about", "of"}),
    "brag": frozenset({"about"}),
    "worry": frozenset({"about"}),
    "joke": frozenset({"about"}),
    "vote": frozenset({"for", "against"}),
    "write": frozenset({"about", "of"}),
    "care": frozenset({"about"}),
    "apologize": frozenset({"for"}),
    "apologise": frozenset({"for"}),
    "campaign": frozenset({"for", "against"}),
    "respond": frozenset({"to"}),
    "reply": frozenset({"to"}),
    "allude": frozenset({"to"}),
    "weigh": frozenset({"in", "on"}),
    "touch": frozenset({"on"}),
    "reflect": frozenset({"on"}),
    "rail": frozenset({"against"}),
    "lash": frozenset({"out"}),
    "accuse": frozenset({"of"}),
    "vouch": frozenset({"for"}),
    "insist": frozenset({"on"}),
    "express": frozenset({"about"}),
    "agree": frozenset({"on", "with", "to"}),
    "disagree": frozenset({"on", "with"}),
    "think": frozenset({"about", "of"}),
    "know": frozenset({"about", "of"}),
    "hear": frozenset({"about", "of"}),
    "lie": frozenset({"about"}),
    "open": frozenset({"about"}),
}

#: Nouns of stance or speech whose prepositional object is what the stance is about
#: ("criticism of the deal", "calls for a ban", "questions about his health").
STANCE_NOUNS: dict[str, frozenset[str]] = {
    noun: frozenset(prepositions.split())
    for noun, prepositions in {
        "criticism": "of",
        "accusation": "of against",
        "endorsement": "of",
        "question": "about of",
        "concern": "about over",
        "doubt": "about over",
        "attack": "on against",
        "call": "for",
        "comment": "on about",
        "praise": "for of",
        "warning": "about of against",
        "acknowledgment": "of",
        "acknowledgement": "of",
        "announcement": "of",
        "remark": "about on",
        "statement": "on about",
        "complaint": "about of",
        "demand": "for",
        "plea": "for",
        "objection": "to",
        "reply": "to",
        "promise": "of",
        "pledge": "of",
        "claim": "of",
        "denial": "of",
        "condemnation": "of",
        "defense": "of",
        "defence": "of",
        "assessment": "of",
        "prediction": "of",
        "fear": "of about",
        "hope": "of for",
        "worry": "about",
        "skepticism": "about of",
        "scepticism": "about of",
        "insistence": "on",
        "thought": "on about",
    }.items()
}

#: Raising verbs: "X seems to ...", "X is expected to ..." report a view without its holder.
RAISING_VERBS: frozenset[str] = frozenset("seem appear expect believe think say rumor rumour".split())

#: Nouns that report speech and take a "that" clause ("the claim that ...", "his statement that").
REPORTING_NOUNS: frozenset[str] = frozenset(
    """
    claim statement assertion allegation report reports announcement argument belief view
    suggestion warning promise pledge admission accusation charge contention conclusion estimate
    assessment finding findings prediction insistence testimony comment remark rumor rumour
    speculation suspicion fear hope
    """.split()
)

#: Verbs that mark a participial or absolute cue: "adding that ...", "with X estimating ...".
PARTICIPLE_CUE_DEPS: frozenset[str] = frozenset({"advcl", "xcomp", "conj", "pcomp", "acl"})

#: Words that make a subject an anonymous or unnamed source when no name is attached
#: (AP: "officials said" without a name is an anonymous source).
ANONYMOUS_HEADS: frozenset[str] = frozenset(
    """
    official officials source sources spokesperson spokesman spokeswoman aide aides person people
    insider insiders diplomat diplomats officer officers analyst analysts expert experts
    representative representatives member members employee employees staffer staffers
    """.split()
)

#: Modifiers that say outright that a source is not named.
ANONYMITY_MARKERS: frozenset[str] = frozenset(
    "unidentified unnamed anonymous anonymity undisclosed unspecified".split()
)

#: Nouns for groups of people spoken of as one source ("analysts say", "residents said").
GROUP_HEADS: frozenset[str] = frozenset(
    """
    analysts experts critics residents witnesses observers economists scientists researchers
    activists protesters protestors supporters opponents voters lawmakers legislators
    democrats republicans conservatives liberals leaders
    """.split()
)

#: Words in a name that make an organisation a government body.
GOVERNMENT_WORDS: frozenset[str] = frozenset(
    """
    government ministry minister department council pentagon kremlin parliament congress senate
    house administration office commission agency authority authorities president presidency
    cabinet embassy state states police court prosecutor prosecutors city county republic
    kingdom federation union nations committee bureau
    """.split()
)

#: Words in a name that make an organisation a military one.
MILITARY_WORDS: frozenset[str] = frozenset(
    """
    military army forces force navy troops command intelligence defense defence brigade battalion
    regiment unit corps guard militia marines soldiers staff
    """.split()
)

#: Words in a name that make an organisation a news outlet.
MEDIA_WORDS: frozenset[str] = frozenset(
    """
    media news newspaper times post journal tribune herald gazette radio tv television channel
    agency press reuters ap afp bbc cnn broadcaster outlet outlets reports magazine
    """.split()
)

#: Titles and ranks that precede a name; they go into the role, not the name.
TITLE_WORDS: frozenset[str] = frozenset(
    """
    president vice prime minister secretary senator sen. rep. representative gov. governor mayor
    general gen. brig. lt. col. maj. capt. adm. sgt. admiral colonel major captain sergeant
    commander chief spokesperson spokesman spokeswoman dr. mr. mrs. ms. prof. professor judge
    justice ambassador chairman chairwoman chair director ceo leader king queen prince pope
    attorney lawyer official deputy speaker founder head
    """.split()
)

#: Approximators before a number (CoNLL-2010 hedge guidelines; AP style on estimates).
APPROXIMATORS: frozenset[str] = frozenset(
    """
    about around approximately roughly nearly almost some over under estimated up more less fewer
    least most upwards circa close
    """.split()
)

#: Units of distance, size and time: a figure of these describes, it does not count people, money or
#: things, so it is not flagged as an estimate or a single-source figure ("ten kilometres from").
MEASURE_UNITS: frozenset[str] = frozenset(
    """
    kilometre kilometer km mile metre meter m foot feet inch yard acre hectare storey story floor
    second minute hour day week month year decade century percent degree kilogram kg pound ton tonne
    litre liter gallon
    """.split()
)

#: Vague quantities that count as estimates by themselves.
VAGUE_QUANTITIES: frozenset[str] = frozenset(
    "dozens hundreds thousands tens millions billions scores several numerous".split()
)

#: Hedge cues (CoNLL-2010 shared task lexicon, trimmed to the news register).
HEDGE_WORDS: frozenset[str] = frozenset(
    """
    allegedly reportedly apparently purportedly supposedly presumably possibly probably perhaps
    likely unlikely suspected alleged purported apparent possible probable unclear unconfirmed
    seemingly ostensibly
    """.split()
)

#: Hedging verbs when they govern an infinitive ("appear to be", "seem to have").
HEDGE_VERBS: frozenset[str] = frozenset("appear seem believe suspect think estimate".split())

#: Modal verbs that hedge a claim ("may have", "could be").
HEDGE_MODALS: frozenset[str] = frozenset("may might could".split())

#: Phrases that open a related-links or promotional block: lines after them are headlines.
RELATED_BLOCK_OPENERS: tuple[str, ...] = (
    "related",
    "read more",
    "more coverage",
    "more on this",
    "see also",
    "also read",
    "recommended",
    "you may also like",
    "more from",
    "most read",
    "latest news",
    "more rfa coverage",
)

#: Lines that are newsroom housekeeping, not content (matched at the start of a line).
HOUSEKEEPING_PREFIXES: tuple[str, ...] = (
    "edited by",
    "updated",
    "update:",
    "update adds",
    "updates ",
    "writing by",
    "reporting by",
    "additional reporting",
    "editing by",
    "copyright",
    "all rights reserved",
    "follow us",
    "subscribe",
    "sign up",
    "this story has been",
    "this article has been",
    "this article was",
    "correction:",
    "clarification:",
    "produced by",
    "translated by",
    "photo:",
    "image:",
    "video:",
    "share this",
    "click here",
    "advertisement",
    "by ",
)

# --- what is not established (``unverified.py``, ``figures.find_estimates``) ---------------------------
# Sources: the labelling rules in ``../shared/eval/unverified-guidelines.md`` (the product's definition),
# the CoNLL-2010 hedge-cue guidelines (Farkas et al. 2010), the Verification Handbook (Silverman 2014)
# and AP style on anonymous sources. Word classes only; no labelled sentence is copied.

#: Hedge nouns: the alleg- family and "accusation" (a named party's "claim" is plain attribution).
HEDGE_NOUNS: frozenset[str] = frozenset(
    "allegation allegations accusation accusations suspicion speculation projection projections".split()
)

#: Hedge adverbs and adjectives that mark a present or past fact as uncertain.
HEDGE_ADVERBS: frozenset[str] = frozenset(
    """
    allegedly apparently purportedly supposedly presumably possibly probably perhaps seemingly
    ostensibly conceivably reputedly alleged purported apparent suspected presumed likeliest unclear
    """.split()
)

#: Words that hedge only when what they govern is a past or present fact, not a forecast
#: ("likely died" is hedged, "is likely to rise next year" is a forecast).
FACT_HEDGES: frozenset[str] = frozenset("likely unlikely probable possible".split())

#: Verbs of belief that hedge a report of a past fact ("police believe he had fled").
BELIEF_VERBS: frozenset[str] = frozenset("believe think suspect assume presume".split())

#: Evidence verbs that hedge what a non-human subject shows ("the data suggest that ...").
SUGGEST_VERBS: frozenset[str] = frozenset("suggest indicate imply".split())

#: Words that mark results as not yet certified ("unofficial results", "projected winner").
UNCERTIFIED_RESULT_WORDS: frozenset[str] = frozenset("unofficial preliminary partial projected early".split())

#: Nouns for reports and rumours that carry a claim without saying whose.
REPORT_NOUNS: frozenset[str] = frozenset("report reports rumour rumours rumor rumors accounts".split())

#: Nouns for the press as a whole ("local media", "several news outlets", "some local press").
PRESS_NOUNS: frozenset[str] = frozenset("media press outlets outlet news".split())

#: Nouns for analyses that can speak without an author ("polls showed", "an analysis found").
ANALYSIS_NOUNS: frozenset[str] = frozenset(
    "poll polls analysis analyses investigation investigations study studies survey surveys tradition legend".split()
)

#: Recordings and papers that can carry a claim without an author ("according to videos posted online").
RECORDINGS: frozenset[str] = frozenset("videos video recordings posts".split())

#: Nouns that, after "there was/were", report talk without a speaker ("there were complaints that").
TALK_NOUNS: frozenset[str] = frozenset(
    "reports report complaints discussion discussions speculation rumours rumors talk suggestions claims".split()
)

#: Speech verbs whose agentless passive hides who said it ("was reported to", "was mentioned as").
AGENTLESS_SPEECH_VERBS: frozenset[str] = frozenset(
    "report say claim announce mention rumor rumour tip accuse call understand".split()
)

#: People who give a claim without a name (AP: "officials said" is an anonymous source).
UNNAMED_SOURCE_HEADS: frozenset[str] = frozenset(
    """
    official officials authorities source sources aide aides insider insiders diplomat diplomats
    officer officers investigator investigators witness witnesses eyewitness eyewitnesses organiser
    organisers organizer organizers activist activists scientists researchers experts employee
    employees staffer staffers whistleblower whistleblowers informant accuser victims victim
    residents resident mp mps spokesperson spokesman spokeswoman people person locals neighbour neighbours
    neighbor neighbors bystanders onlookers
    """.split()
)

#: Heads that are unnamed only while the article names no holder of that post (guidelines: "a police
#: spokesman" counts only when no spokesperson is named anywhere).
SPOKESPERSON_HEADS: frozenset[str] = frozenset("spokesperson spokesman spokeswoman".split())

#: Heads that never have a name of their own: always unnamed when they speak.
ALWAYS_UNNAMED_HEADS: frozenset[str] = frozenset(
    "whistleblower whistleblowers informant accuser insider insiders".split()
)

#: Verbs of opinion: an unnamed group that argues or condemns gives a view, not a fact.
OPINION_VERBS: frozenset[str] = frozenset(
    """
    argue condemn criticize criticise praise welcome urge call demand oppose support fear hope want
    worry warn caution complain applaud decry question wonder feel protest accuse
    """.split()
)

#: Phrases that hide a speaker outright ("on condition of anonymity", "off the record").
ANONYMITY_PHRASES: tuple[str, ...] = (
    "on condition of anonymity",
    "on the condition of anonymity",
    "requested anonymity",
    "asked not to be named",
    "declined to be named",
    "speaking anonymously",
    "off the record",
    "anonymously",
    "who was not authorised to speak",
    "who was not authorized to speak",
    "not authorized to speak publicly",
    "not authorised to speak publicly",
)

#: Nouns a denial can be about: what is denied is a claim, not a grant ("denied funding").
DENIED_GRANTS: frozenset[str] = frozenset(
    """
    funding access entry permission bail request application visa citizenship right rights service
    benefit licence license asylum passage admission chance opportunity vote
    """.split()
)

#: Approximators that take a number directly ("about 200", "roughly a third").
APPROXIMATOR_WORDS: frozenset[str] = frozenset(
    "about around approximately roughly nearly almost some over under circa approx. estimated upwards".split()
)

#: Two-word approximators ("more than 10,000", "at least 52", "in excess of $300 million").
APPROXIMATOR_PAIRS: frozenset[tuple[str, str]] = frozenset(
    {
        ("more", "than"),
        ("less", "than"),
        ("fewer", "than"),
        ("at", "least"),
        ("up", "to"),
        ("close", "to"),
        ("upwards", "of"),
        ("excess", "of"),
        ("many", "as"),
        ("much", "as"),
        ("just", "over"),
        ("just", "under"),
        ("well", "over"),
        ("an", "estimated"),
        ("some", "estimated"),
    }
)

#: Verbs that make a following figure a lower bound ("surpassed 100,000", "topped a million").
SURPASS_VERBS: frozenset[str] = frozenset("surpass exceed top".split())

#: Number words that are approximate by themselves ("thousands", "tens of thousands", "dozens").
VAGUE_NUMBER_WORDS: frozenset[str] = frozenset("dozens hundreds thousands millions billions tens scores".split())

#: Fractions a figure can be given in ("about a quarter", "roughly two-thirds").
FRACTION_WORDS: frozenset[str] = frozenset(
    "half third thirds quarter quarters fifth fifths tenth tenths two-thirds three-quarters".split()
)

#: Units of measurement, time and age: an approximate one is a description, not an estimated count.
ESTIMATE_EXCLUDED_UNITS: frozenset[str] = frozenset(
    """
    kilometre kilometer km kilometres kilometers mile miles metre meter m metres meters foot feet inch
    inches yard yards acre acres hectare hectares storey storeys story stories floor floors second
    seconds minute minutes hour hours day days week weeks month months year years decade decades
    century centuries degree degrees kilogram kilograms kg pound pounds ton tons tonne tonnes litre
    litres liter liters gallon gallons mph km/h kph knots magnitude light-years celsius fahrenheit
    centimetre centimetres centimeter centimeters cm millimetre millimetres millimeter millimeters mm
    ° m/s km2 sq micrometre micrometres micrometer micrometers nanometre nanometres nanometer nanometers
    """.split()
)

#: Words that make a figure a threshold or a rule ("at least 1,000 signatures are needed").
THRESHOLD_WORDS: frozenset[str] = frozenset(
    "need require qualify must minimum threshold eligible necessary goal target".split()
)
#: Of those, the ones that are thresholds only as verbs ("signatures are needed", not "in need of food").
THRESHOLD_VERBS: frozenset[str] = frozenset("need require".split())

#: Verbs and auxiliaries of plans, forecasts and schedules: their figures are not estimates of a fact.
FORECAST_WORDS: frozenset[str] = frozenset(
    """
    will shall 'll would plan expect forecast predict project aim target schedule intend hope budget
    propose pledge promise seek could might
    """.split()
)

#: Phrases that say two versions disagree ("conflicting reports", "accounts differ").
CONFLICT_PHRASES: tuple[str, ...] = (
    "conflicting reports",
    "conflicting claims",
    "conflicting accounts",
    "conflicting figures",
    "contradictory reports",
    "contradictory accounts",
    "varying reports",
    "reports vary",
    "reports varied",
    "accounts vary",
    "accounts differ",
    "accounts differed",
    "different account",
    "different version",
    "vary between",
    "varied between",
    "contradicted",
    "contradicts",
)

#: Verbs a second version is given with ("..., but the ministry said ...").
VERSION_VERBS: frozenset[str] = frozenset(
    "say claim allege report insist maintain contend counter testify record".split()
)
