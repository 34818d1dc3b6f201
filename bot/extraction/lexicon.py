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

#: Verbs of saying that only a speaker does: their subject is someone (or a body), never a thing, whatever
#: the noun ("the tycoon told Reuters"). The speech verbs of :data:`SPEECH_VERBS` that a document or an
#: event also does ("the report found", "the crisis continued", "the data show") are left out.
SAYING_VERBS: frozenset[str] = frozenset(
    """
    say tell claim allege insist assert contend argue declare admit concede boast brag complain
    quip joke retort reply respond answer remark recount lament grumble shout whisper yell scream
    tweet vow pledge swear
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

#: Cues that make an attribution a statement (what was said, thought or shown), not an action of its
#: source ("endorsed", "wants", "extracted"): the speech, cognition and evidence verbs above.
STATEMENT_CUES: frozenset[str] = SPEECH_VERBS | COGNITION_VERBS | EVIDENCE_VERBS

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

#: Verbs of attitude and judgement whose object or complement is the view held ("supports the deal",
#: "favors a ban", "mocked his plan"): Levin's (1993) admire (31.2) and judgment (33) classes with the
#: verbs of backing and opposing; the tagger's features only (the rules do not fire on them). Chosen as
#: a class of language, checked against the cue words of the training articles (not the held-back ones).
STANCE_VERBS: frozenset[str] = frozenset(
    """
    support favor favour prefer embrace welcome champion like love dislike hate admire enjoy trust
    distrust denounce mock deride ridicule lambast assail rebuke chide scold downplay challenge resist
    protest bemoan celebrate thank credit congratulate cheer boo ignore reject disavow oppose back
    """.split()
)

#: Verbs of bringing up a subject, whose object is the matter raised ("discussed the deal",
#: "highlighted the cost", "echoed his call"): PolNeAR marks such objects as content.
TOPIC_VERBS: frozenset[str] = frozenset(
    """
    discuss debate address raise highlight underscore reference invoke echo list detail outline
    document illustrate stress emphasize emphasise recite quote
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
    democrats republicans conservatives liberals leaders team teams
    """.split()
)

#: Words in a name that make an organisation a government body (states and their bodies; courts and
#: international organisations such as the United Nations are organisations, as in the report schema).
GOVERNMENT_WORDS: frozenset[str] = frozenset(
    """
    government ministry minister department council pentagon kremlin parliament congress senate
    house administration office commission agency authority authorities president presidency
    cabinet embassy state states police prosecutor prosecutors city county republic
    kingdom federation committee bureau country countries nasa noaa fema epa cdc fda nhs
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
    press reuters ap afp bbc cnn broadcaster outlet outlets reports magazine nbc abc cbs msnbc
    cnbc npr pbs guardian politico axios tass xinhua sputnik interfax wikinews jazeera yonhap
    kyodo bernama
    """.split()
)

#: Titles and ranks that precede a name; they go into the role, not the name.
TITLE_WORDS: frozenset[str] = frozenset(
    """
    president vice prime minister secretary senator sen. rep. representative gov. governor mayor
    general gen. brig. lt. col. maj. capt. adm. sgt. admiral colonel major captain sergeant
    commander chief spokesperson spokesman spokeswoman dr. mr. mrs. ms. prof. professor judge
    justice ambassador chairman chairwoman chair director ceo leader king queen prince pope
    attorney lawyer official deputy speaker founder head archbishop bishop cardinal rabbi imam
    reverend pastor princess duke duchess emperor empress sultan sheikh emir selectman detective
    constable inspector superintendent trooper sheriff
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

#: Numbers written as words, and the words that multiply a number ("3.5 million"): English numerals.
NUMBER_WORDS: dict[str, float] = {
    word: float(value)
    for value, word in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
        "sixteen seventeen eighteen nineteen twenty".split()
    )
} | {
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "hundred": 100,
    "dozen": 12,
    "a dozen": 12,
}
MULTIPLIERS: dict[str, float] = {
    "hundred": 1e2,
    "thousand": 1e3,
    "million": 1e6,
    "mln": 1e6,
    "m": 1e6,
    "billion": 1e9,
    "bn": 1e9,
    "trillion": 1e12,
}
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
    "produced by",
    "translated by",
    "photo:",
    "image:",
    "video:",
    "share this",
    "click here",
    "advertisement",
    "article continues",
    "article continued",
    "story continues",
    "continue reading",
    "watch:",
    "listen:",
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

#: Multi-word hedges and open questions, from the CoNLL-2010 hedge cues ("in all likelihood") and the
#: labelling rules' "questioned whether" / "it is not clear how" ("questions remain over the cause").
HEDGE_PHRASES: tuple[str, ...] = (
    "in all likelihood",
    "in likelihood",
    "questions remain",
    "questions remained",
    "questions linger",
    "questions lingered",
)

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

#: Era markers after a year ("about 664 BCE", "250 c.e."): the figure is a date, not a count.
ERA_MARKERS: frozenset[str] = frozenset("bc b.c. b.c bce b.c.e. b.c.e ad a.d. a.d ce c.e. c.e".split())

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
    # a figure revised down was wrong, not overtaken by events (a toll does not fall as time passes)
    "revised down",
    "revised downward",
    "revised downwards",
    "downward revision",
)

#: Verbs a second version is given with ("..., but the ministry said ...").
VERSION_VERBS: frozenset[str] = frozenset(
    "say claim allege report insist maintain contend counter testify record".split()
)


#: Words that say nothing about what a claim states, dropped before claims are compared across
#: articles (``bot/matching.py``): English function words (the closed classes: articles, pronouns,
#: prepositions, conjunctions, auxiliaries and modals, as in the SMART stop list of Salton's system),
#: attribution verbs (one report says "said", the next "told reporters"), and dates and relative
#: times, because two reports of one fact date it differently ("yesterday", "on Monday", "September 10").
MATCH_STOPWORDS: frozenset[str] = frozenset(
    """
    a an the and or but nor of to in on at by for with from as into onto upon about above after against
    along among around before behind below beneath beside between beyond during except inside near off
    out outside over past since through throughout till toward towards under until unto up via within
    without is are was were be been being am has have had having do does did doing will would shall
    should can could may might must ought i me my mine we us our ours you your yours he him his she her
    hers it its they them their theirs this that these those who whom whose which what whatever whoever
    there here not no also only just very so than then too such both each either neither all any some
    more most other another own same if while when where whether because although though however thus
    yet still even ever again further once now
    said says say saying told tell tells telling added adding according reported reports report
    reportedly stated announced
    today yesterday tomorrow tonight morning afternoon evening night week weekend month year earlier
    later last next ago recently currently
    monday tuesday wednesday thursday friday saturday sunday january february march april june july
    august september october november december jan feb mar apr jun jul aug sep sept oct nov dec
    a.m p.m am pm utc gmt local time
    """.split()
)

#: Words that deny what follows them (English negation cues, as in the cue lists of the BioScope and SFU
#: Review corpora; "n't" is matched apart), for claim matching (``bot.matching.denied_terms``): a claim
#: that denies the words another asserts ("he will not approve a budget" / "he will approve a budget")
#: is not the same statement. "no", "nor", "without" are left out: they mostly negate a noun phrase
#: ("without a deal", "No. 14") and not the statement.
NEGATIONS: frozenset[str] = frozenset("not never nobody nothing cannot".split())

#: Words that open a conditional clause (the subordinators of condition in English grammars, e.g. Quirk et
#: al., A Comprehensive Grammar of the English Language, 15.33): a negator inside such a clause states a
#: condition, not a denial ("if the Senate does not confirm me, I will leave" asserts no "not confirm"),
#: for claim matching (``bot.matching.denied_terms``).
CONDITIONALS: frozenset[str] = frozenset("if unless".split())

#: Nouns that a number names rather than counts ("category 3", "Route 2", "Advisory Number 14"): the
#: number tells which thing the claim is about, so "category 1 hurricanes" and "category 3 hurricanes"
#: are different statements, not a conflicting figure. Collected from the Wikinews 2019 articles.
NUMBERED_NOUNS: frozenset[str] = frozenset(
    """
    category number no route highway interstate road level phase stage article section chapter clause
    flight gate terminal platform room ward district division class grade round game match
    """.split()
)

#: Abbreviations of countries and unions that news copy uses beside the full name, written out before
#: claims are compared ("U.S." in one report, "United States" in the next). Case-sensitive: "US", not "us".
ABBREVIATIONS: dict[str, str] = {
    "U.S.A.": "United States",
    "U.S.": "United States",
    "USA": "United States",
    "US": "United States",
    "U.K.": "United Kingdom",
    "UK": "United Kingdom",
    "EU": "European Union",
    "UN": "United Nations",
    "U.N.": "United Nations",
}

#: Words of a name that tell what kind of thing or where it is, not which one: "United" of "United
#: States" and "United Kingdom", "Hurricane" of every hurricane, "II" of every second of a name. With
#: the titles (:data:`TITLE_WORDS`) and the heads of organisations' names (:data:`ORGANISATION_HEADS`),
#: claim matching (``bot.matching._mentioned``) takes another claim to mention a name when it mentions
#: one of the name's other words. English place-name and storm-name patterns, and regnal suffixes.
NAME_KIND_WORDS: frozenset[str] = frozenset(
    """
    united national new north south east west northern southern eastern western central upper lower
    great royal federal democratic republican republic kingdom state states province county city
    island islands river lake mount saint st hurricane storm tropical typhoon cyclone depression
    ii iii iv jr sr
    """.split()
)

#: Words news copy uses interchangeably for the same event, mapped to one term before claims are
#: compared ("six were killed" / "six died" / "the dead"): the paraphrases of general news language for
#: the facts most often re-reported in other words (casualties, arrests, charges and jail, resignations,
#: blasts, fires, quakes, protests, inquiries). The keys are matching's stems
#: (``bot.matching.stem``), the values the stem of the word they stand for.
MATCH_SYNONYMS: dict[str, str] = {
    "kill": "die",
    "dead": "die",
    "death": "die",
    "fatality": "die",
    "fatal": "die",
    "slain": "die",
    "wound": "injur",
    "hurt": "injur",
    "injury": "injur",
    "detain": "arrest",
    "apprehend": "arrest",
    "indict": "charg",
    "imprison": "jail",
    "quit": "resign",
    "resignation": "resign",
    "explos": "blast",
    "explod": "blast",
    "blaz": "fir",
    "quak": "earthquak",
    "tremor": "earthquak",
    "demonstr": "protest",
    "demonstrator": "protester",
    "protestor": "protester",
    "inquiry": "investig",
    "probe": "investig",
    "begin": "start",
}

#: Irregular English past forms and plurals, to their base ("made" -> "make", "children" -> "child"),
#: before claims are compared (``bot.matching``): the common irregular verbs of English grammars and
#: the irregular plurals of nouns for people. Left out: forms that are mostly another word in news
#: ("left", "found", "lay", "saw", "felt").
IRREGULAR_FORMS: dict[str, str] = {
    **{
        form: base
        for base, forms in {
            "become": "became",
            "begin": "began begun",
            "break": "broke broken",
            "bring": "brought",
            "build": "built",
            "buy": "bought",
            "catch": "caught",
            "choose": "chose chosen",
            "drive": "drove driven",
            "fall": "fell fallen",
            "fight": "fought",
            "flee": "fled",
            "fly": "flew flown",
            "give": "gave given",
            "go": "went gone",
            "grow": "grew grown",
            "hold": "held",
            "keep": "kept",
            "know": "knew known",
            "lead": "led",
            "lose": "lost",
            "make": "made",
            "meet": "met",
            "pay": "paid",
            "rise": "rose risen",
            "run": "ran",
            "seek": "sought",
            "sell": "sold",
            "send": "sent",
            "shoot": "shot",
            "sink": "sank sunk",
            "speak": "spoke spoken",
            "spend": "spent",
            "steal": "stole stolen",
            "strike": "struck stricken",
            "swear": "swore sworn",
            "take": "took taken",
            "think": "thought",
            "throw": "threw thrown",
            "win": "won",
            "withdraw": "withdrew withdrawn",
            "write": "wrote written",
        }.items()
        for form in forms.split()
    },
    "children": "child",
    "men": "man",
    "women": "woman",
    "people": "person",
}

# --- sources: who can speak, what kind they are, their gender -----------------------------------

#: Outlet names of more than one word that none of their words gives away.
MEDIA_NAMES: tuple[str, ...] = ("usa today", "fox news", "sky news", "der spiegel", "le monde")

#: Heads that make a name a company whatever else it names ("Hirtenberger Defence Group").
COMPANY_HEADS: frozenset[str] = frozenset("group company corporation corp inc ltd plc llc industries holdings".split())

#: Singular nouns for one person: "the father said" is a person, though not named.
PERSON_NOUNS: frozenset[str] = frozenset(
    """
    man woman boy girl father mother son daughter wife husband brother sister parent child teenager
    friend neighbour neighbor resident witness victim survivor student teacher doctor nurse
    professor scientist researcher lawyer astronomer priest owner driver passenger farmer
    candidate nominee front-runner frontrunner challenger incumbent contender hopeful
    """.split()
)

#: Modifiers that make "people" an unnamed source ("people familiar with the matter"), not a crowd.
INFORMANT_WORDS: frozenset[str] = frozenset("familiar close briefed knowledge aware involved told".split())

#: Head nouns of organisations and public bodies ("Saskatoon Police Service", "the fire brigade"): a name
#: ending in one of these is an organisation even when the recogniser calls it a person. From the heads
#: of ORG names in the Wikinews 2019 articles and PolNeAR dev (word counts only).
ORGANISATION_HEADS: frozenset[str] = frozenset(
    """
    police service services ministry council agency department brigade office committee commission
    board bureau authority authorities court tribunal company corporation corp inc ltd firm group
    union association federation party institute institution foundation university college school
    hospital bank fund campaign network coalition alliance organisation organization society
    trust centre center secretariat directorate administration government cabinet parliament
    assembly senate congress legislature embassy consulate mission regime junta commission club
    league church diocese charity watchdog regulator exchange airline airport operator utility
    """.split()
)

#: Words that make a source the police (issue 13's kind "police"): forces, ranks and their bodies.
POLICE_WORDS: frozenset[str] = frozenset(
    """
    police constabulary gendarmerie gendarmes sheriff sheriffs carabinieri policemen policewomen
    """.split()
)

#: Public services that are part of a government though not named so ("fire and rescue service").
PUBLIC_SERVICE_WORDS: frozenset[str] = frozenset("fire rescue ambulance coastguard coast prison prisons".split())

#: Heads of noun phrases that can state things though they are not names: people by role or trade,
#: groups, bodies, and the documents and media that carry statements ("the report found", "polls
#: show"). A source headed by anything else ("the clash", "the drinking", "footage") is not a
#: speaker. From the heads of gold source spans of PolNeAR dev that are not names (counts only).
SPEAKER_HEADS: frozenset[str] = frozenset(
    """
    man men woman women person people persons guy boy girl child children kid kids teen teenager
    mother father mom dad parent parents son daughter wife husband brother sister family families
    friend friends relative relatives neighbour neighbor neighbours neighbors colleague colleagues
    resident residents citizen citizens public crowd audience community communities staff crew
    victim victims survivor survivors witness witnesses student students pupil pupils patient
    patients doctor doctors nurse nurses expert experts scientist scientists official officials
    source sources aide aides adviser advisers advisor advisors insider insiders diplomat diplomats
    officer officers spokesperson spokesman spokeswoman spokespeople representative representatives
    member members employee employees staffer staffers analyst analysts critic critics observer
    observers candidate candidates nominee nominees incumbent challenger rival rivals opponent
    opponents ally allies supporter supporters backer backers donor donors voter voters delegate
    delegates lawmaker lawmakers legislator legislators politician politicians leader leaders
    president governor mayor minister secretary senator congressman congresswoman chairman chairwoman
    chair director chief head executive executives founder owner owners boss manager managers
    lawyer lawyers attorney attorneys prosecutor prosecutors judge judges justice justices jury
    detective detectives investigator investigators inspector inspectors agent agents soldier
    soldiers troops commander commanders general generals rebel rebels militant militants
    protester protesters protestor protestors activist activists campaigner campaigners organiser
    organizer organisers organizers worker workers farmer farmers driver drivers owner traveller
    passenger passengers fan fans player players coach coaches athlete athletes star
    teacher teachers farmer farmers speaker speakers viewer viewers reader readers listener
    listeners caller callers buyer buyers seller sellers dealer dealers retailer retailers
    employer employers landlord landlords tenant tenants consumer consumers customer customers
    user users taxpayer taxpayers homeowner homeowners shopper shoppers parishioner worshipper
    immigrant immigrants migrant migrants refugee refugees resident student president agent
    accountant consultant assistant participant participants applicant applicants merchant
    servant servants occupant occupants defendant defendants plaintiff plaintiffs suspect
    suspects prisoner prisoners inmate inmates senator senators governor governors mayor
    doctor actor actors director directors professor editor investor investors donor sponsor
    sponsors supervisor supervisors inspector counselor counsellor councillor councilor
    councillors councilors ambassador ambassadors operator operators contractor contractors
    surveyor spectator spectators survivor demonstrator demonstrators moderator narrator
    chancellor commissioner commissioners officer engineer engineers volunteer volunteers
    designer designers developer developers founder founders owner leader member members
    forecaster forecasters veteran veterans expert insider lady ladies gentleman gentlemen folks
    actress actresses surgeon surgeons neurosurgeon counsel principal partner partners interviewer
    interviewers commenter commenters speechwriter speechwriters attendee attendees respondent
    respondents holdout holdouts faction factions front-runner frontrunner front-runners frontrunners
    superdelegate superdelegates delegate elder elders establishment partisan partisans manufacturer
    manufacturers hacker hackers troupe textbook runner runners mogul moguls tycoon tycoons couple
    surrogate surrogates hopeful hopefuls contender contenders associate associates maker makers
    film movie documentary affidavit summary leadership base cable cables dispatch dispatches communique
        republican republicans democrat democrats conservative conservatives liberal liberals
    progressive progressives independent independents moderate moderates socialist socialists
    economist economists historian historians researcher researchers professor professors author
    authors writer writers reporter reporters journalist journalists editor editors columnist
    columnists commentator commentators host hosts anchor pundit pundits blogger bloggers
    pollster pollsters strategist strategists consultant consultants operative operatives
    insurer insurers investor investors trader traders banker bankers businessman businessmen
    businesswoman entrepreneur lobbyist lobbyists union unions industry group groups organisation
    organization company companies firm firms agency agencies government governments administration
    ministry department office council committee commission board panel authority authorities
    court police military army navy force forces campaign campaigns team party parties coalition
    side camp movement network outlet outlets newspaper paper media press station channel magazine
    website site blog account feed
    report reports statement statements letter letters memo memos email emails message messages
    tweet tweets post posts release document documents filing filings record records data figures
    study studies survey surveys poll polls polling research analysis review audit assessment
    investigation inquiry probe findings estimate estimates forecast projection model ad ads
    advertisement video recording book article story column editorial op-ed essay paper
    transcript interview speech remarks testimony lawsuit complaint suit ruling decision verdict
    order bill law resolution proposal plan platform manifesto document policy guidance notice
    warning advisory bulletin index tally count census statistics results numbers returns
    advocate advocates proponent proponents defender defenders backer observer city town county
    village municipality province state country nation region district
    majority minority half percent share most many some several few others other another all
    both each one two three four five six seven eight nine ten dozen dozens hundreds thousands
    """.split()
)

#: Agentive endings that name a person by what they do ("physicist", "librarian", "volunteer"); "-er",
#: "-or" and "-ent" are left out: too many things end so ("number", "cancer", "error", "event").
AGENT_SUFFIXES: tuple[str, ...] = ("ist", "ists", "ian", "ians", "eer", "eers")

#: Offices one person holds at a time, by which news refers again to the holder it has named ("the
#: prime minister", "the senator"), and a race's roles, by which campaign news refers again to the
#: candidate it is about ("the nominee", "the front-runner"); not trades or posts many hold ("the
#: lawyer", "the spokesman").
OFFICE_TITLES: frozenset[str] = frozenset(
    """
    president senator governor mayor minister premier chancellor congressman congresswoman king queen
    pope emperor sultan emir ambassador nominee front-runner frontrunner candidate
    """.split()
)

#: Quantifiers that stand for a part of a group named after "of" ("some of the voters", "many of them").
QUANTIFIER_PRONOUNS: frozenset[str] = frozenset(
    "some many most all any both none several few each either neither".split()
)

#: Nouns of a part or share that speak only through the whole named after "of" ("part of the staff",
#: "half of the voters", "the rest of the board"); of a thing they name no one ("part of the problem").
PARTITIVE_NOUNS: frozenset[str] = frozenset("part half rest majority minority share portion bulk".split())

#: Labels that news sites put before a link or an embed ("VIDEO:", "WATCH:", "BREAKING:"), in capitals.
WEB_LABELS: frozenset[str] = frozenset(
    "video videos watch photo photos gallery update breaking exclusive live listen".split()
)

#: What a publication calls itself with "this" ("this column", "this newspaper"): the outlet, the writer.
SELF_REFERENCE_NOUNS: frozenset[str] = frozenset(
    "column newspaper paper publication website site page reporter writer author correspondent blog magazine".split()
)

#: What news calls an outlet it has named, when it refers to it again ("CNN ... the network said").
OUTLET_NOUNS: frozenset[str] = frozenset("network broadcaster newspaper paper outlet station channel magazine".split())

#: Prepositions of place, topic and comparison, whose object is never who speaks ("in polls", "about the plan").
SOURCELESS_PREPOSITIONS: frozenset[str] = frozenset(
    "in on at into onto over under about like unlike near inside".split()
)

#: Modals after which "one" is the generic pronoun ("one can argue", "one must ask"), not a person.
GENERIC_ONE_MODALS: frozenset[str] = frozenset("can could must should might may would ought".split())

#: Pronouns that take the speaker of the quotation or the writer, never an earlier source.
SPEAKER_PRONOUNS: frozenset[str] = frozenset("i me my we us our you your yourself myself ourselves".split())

#: Words for a document or message whose author is the source ("her statement", "a post by X").
DOCUMENT_NOUNS: frozenset[str] = frozenset(
    """
    statement letter message post tweet email note memo release announcement speech remarks video
    database website blog column op-ed editorial interview
    """.split()
)

#: Verbs of putting a document out: "X released data that suggest Y" is X's claim, made through the data.
PUBLISH_VERBS: frozenset[str] = frozenset("release issue publish post unveil circulate distribute".split())
#: What is put out so (:data:`PUBLISH_VERBS`): the documents, and data.
PUBLISHED_NOUNS: frozenset[str] = DOCUMENT_NOUNS | {"data"}

#: Verbs of reading out or delivering: "X read out a message from Y" reports Y's words.
DELIVERY_VERBS: frozenset[str] = frozenset("read deliver relay convey present".split())

#: Courtesy titles and gendered role words, with the gender they give a person ("f" or "m").
GENDERED_WORDS: dict[str, str] = {
    **dict.fromkeys(
        """
        mrs mrs. ms ms. miss madam dame lady queen princess duchess spokeswoman chairwoman
        congresswoman businesswoman policewoman woman girl mother wife daughter sister
        grandmother aunt niece actress widow
        """.split(),
        "f",
    ),
    **dict.fromkeys(
        """
        mr mr. sir lord king prince duke spokesman chairman congressman businessman policeman
        man boy father husband son brother grandfather uncle nephew actor widower
        """.split(),
        "m",
    ),
}

#: Common given names with their usual gender, for "she" and "he" when no title says it. From the
#: most frequent names in the US Social Security Administration and UK Office for National
#: Statistics birth-name lists (names only); a name used for both is left out.
GIVEN_NAMES: dict[str, str] = {
    **dict.fromkeys(
        """
        mary patricia jennifer linda elizabeth barbara susan jessica sarah karen nancy lisa betty
        margaret sandra ashley kimberly emily donna michelle dorothy carol amanda melissa deborah
        stephanie rebecca sharon laura cynthia kathleen amy angela shirley anna brenda pamela emma
        nicole helen samantha katherine christine debra rachel carolyn janet catherine maria heather
        diane ruth julie olivia joyce virginia victoria lauren christina joan evelyn judith
        megan andrea cheryl hannah jacqueline martha gloria teresa ann sara madison frances kathryn
        janice jean abigail alice judy sophia grace denise amber doris marilyn danielle beverly
        isabella theresa diana natalie brittany charlotte marie kayla alexis lori hillary nikki
        nancy elaine condoleezza theresa angela jacinda ursula christine kamala elizabeth jody
        chrystia catherine carolyn kathleen marine giorgia sanna mette ilhan alexandria nadia
        fatima aisha maryam leila sonia priya anita sunita yulia svetlana olga natalia irina
        tatiana anastasia ekaterina marta agnieszka anna beata greta ingrid astrid sofia lucia
        carmen rosa isabel elena francesca giulia chiara claire sophie camille chloe erin audrey
        shannon kate katie jane jenny joanne lynn tina wendy yvonne zoe ruby molly holly eva ella
        ava mia leah nora rose sally tracy vanessa valerie sylvia rita paula nina monica melanie
        lucy louise jill irene hazel gina esther eleanor connie clara cindy carla beth annie alison
        allison agnes caroline cathy debbie fiona gail heidi jasmine joy julia june kirsten lily
        maureen naomi pauline penny sheila tanya vera wanda
        """.split(),
        "f",
    ),
    **dict.fromkeys(
        """
        james robert john michael david william richard joseph thomas charles christopher daniel
        matthew anthony mark donald steven paul andrew joshua kenneth kevin brian george timothy
        ronald edward jason jeffrey ryan jacob gary nicholas eric jonathan stephen larry justin
        scott brandon benjamin samuel gregory alexander frank patrick raymond jack dennis jerry
        tyler aaron jose adam nathan henry douglas zachary peter kyle noah ethan jeremy walter
        christian keith roger terry austin sean gerald carl harold dylan arthur lawrence
        bryan billy bruce gabriel joe alan albert willie elijah wayne randy
        vincent mason roy ralph bobby russell bradley philip eugene bernie barack mitt ted marco
        jeb rand mike newt rick chris ben hugh boris vladimir volodymyr sergei sergey dmitry
        alexei igor oleksandr andriy viktor emmanuel olaf friedrich xi narendra rahul imran
        mohammed muhammad ahmed ali hassan hussein omar abdul ibrahim yusuf mustafa recep benjamin
        justin stephen pierre francois giuseppe matteo luigi carlos juan luis pedro miguel
        jorge pablo javier diego antonio manuel hans klaus jurgen wolfgang stefan lars erik doug greg
        ken tom tim jim bob bill dave dan don ron steve tony nick matt phil ray rob andy bernard
        brett calvin clarence colin curtis dale darren dean derek duncan earl edwin felix fred gavin
        glen gordon graham grant harvey herbert howard ian ivan jake jeff jerome joel jon kurt lance
        leo leon lloyd luke malcolm marcus mario martin marvin max neil nigel oscar owen rafael
        ramon ricardo roland ross seth shane simon stanley stuart todd trevor troy victor warren
        pavel tomas tomasz piotr krzysztof andrzej marek pawel jakub wojciech michal jan lukasz mariusz
        """.split(),
        "m",
    ),
}

#: Lines that are the newsroom speaking about the article, of any length ("Editor's note: ...",
#: "Correction: An earlier version of this article ..."), as US and UK outlets head them.
NOTE_PREFIXES: tuple[str, ...] = (
    "editor's note",
    "editor’s note",
    "editors' note",
    "note to readers",
    "correction:",
    "clarification:",
)
