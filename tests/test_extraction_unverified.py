"""What is not established: one rule table per type of ``../shared/eval/unverified-guidelines.md``.

Every sentence is invented. Positive rows give the reason and words of the evidence; negative rows are
the exclusions of the guidelines (each at least once) and must not raise that type. The last tests run
the labelled Wikinews sample (``tests/data/unverified-sample.jsonl``, CC BY 2.5, see its README)
through the whole report and the dev scorer's sentence-level rules.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from spacy.language import Language

from bot.extraction.pipeline import analyze_text, build_report
from bot.extraction.unverified import find_signals

DATA = Path(__file__).parent / "data"
SCORER = Path(__file__).parents[1].parent / "shared" / "eval" / "score_unverified.py"
#: Report reasons that count for a labelled type (as in the dev scorer).
MATCH: dict[str, set[str]] = {
    "not_confirmed": {"not_confirmed", "denied"},
    "conflicting": {"conflicting", "conflicting_figures"},
}

Span = tuple[int, int]


def signals(nlp: Language, text: str) -> list[tuple[str, str]]:
    """(reason, evidence) for every signal in ``text``, all of it body."""
    return [(reason, text[a:b]) for reason, (a, b) in find_signals(nlp(text), text, [(0, len(text))])]


def flagged(nlp: Language, text: str, reason: str) -> list[str]:
    return [evidence for r, evidence in signals(nlp, text) if r in MATCH.get(reason, {reason})]


POSITIVE = [
    # not_independently_verified
    (
        "Reporters could not independently verify the footage of the explosion.",
        "not_independently_verified",
        "independently verify",
    ),
    (
        "The army shared unverified footage of the strike on the bridge.",
        "not_independently_verified",
        "unverified footage",
    ),
    (
        "The story rests on unconfirmed reports from the border town.",
        "not_independently_verified",
        "unconfirmed reports",
    ),
    # not_confirmed: non-confirmation and denial
    ("The ministry denied the report about troop movements near the border.", "not_confirmed", "denied the report"),
    ("He was accused of taking bribes, which he denied.", "not_confirmed", "he denied"),
    ("The club has not confirmed the transfer of its captain.", "not_confirmed", "not confirmed"),
    ("The mayor declined to comment on the arrests at the station.", "not_confirmed", "declined to comment"),
    ("The candidate did not concede defeat on Sunday night.", "not_confirmed", "concede"),
    ("The spokesman called the story absolutely false on Tuesday.", "not_confirmed", "false"),
    # anonymous_source
    ("A hospital official said the boy had died of his wounds.", "anonymous_source", "A hospital official said"),
    ("Officials said the fire had been started deliberately.", "anonymous_source", "Officials said"),
    ("According to witnesses, the gunman fled on foot.", "anonymous_source", "According to witnesses"),
    ("Sources close to the investigation said the driver had been drinking.", "anonymous_source", "Sources close"),
    ("A police spokesman said two men had been arrested in the raid.", "anonymous_source", "A police spokesman said"),
    ("One of the victims said the men had threatened her.", "anonymous_source", "One of the victims said"),
    ("An aide, speaking on condition of anonymity, said the talks had failed.", "anonymous_source", "anonymity"),
    ("Two people familiar with the matter said the deal had collapsed.", "anonymous_source", "familiar"),
    ("According to some officials, Ban has gone further than his predecessor.", "anonymous_source", "some officials"),
    ("A neighbour said she had heard two shots before midnight.", "anonymous_source", "A neighbour said"),
    # unnamed_reports
    ("The bridge is claimed to be the oldest in the city.", "unnamed_reports", "is claimed"),
    ("The singer reportedly left the band in March.", "unnamed_reports", "reportedly"),
    ("Reports said the bridge had collapsed before dawn.", "unnamed_reports", "Reports"),
    ("According to local media, the factory closed last week.", "unnamed_reports", "According to local media"),
    ("Several news outlets reported that the minister had resigned.", "unnamed_reports", "news outlets"),
    ("It was reported that the plane had landed safely in the storm.", "unnamed_reports", "was reported"),
    ("The boxer is reported to have broken his hand in training.", "unnamed_reports", "is reported"),
    ("She was mentioned as a possible candidate for the post.", "unnamed_reports", "was mentioned"),
    ("Polls showed the governor trailing her rival by six points.", "unnamed_reports", "Polls"),
    ("There were reports of gunfire near the airport on Friday.", "unnamed_reports", "reports"),
    ("By early reports, the storm flooded the lower town.", "unnamed_reports", "By early reports"),
    ("It is understood that the contract was signed on Friday.", "unnamed_reports", "It is understood"),
    # hedged
    ("The fire appears to have started in the kitchen.", "hedged", "appears to have started"),
    ("The man allegedly stole three cars from the car park.", "hedged", "allegedly"),
    ("He was arrested on suspicion of arson on Monday.", "hedged", "suspicion"),
    ("The mine may have flooded overnight after the storm.", "hedged", "may have flooded"),
    ("The attacker is believed to have fled abroad.", "hedged", "believed"),
    ("Police believe the attacker had fled abroad before the raid.", "hedged", "believe"),
    ("The data suggest that the virus spread in the spring.", "hedged", "The data suggest"),
    ("The cause of the blast is unclear.", "hedged", "unclear"),
    ("It is not clear how the prisoner escaped from the jail.", "hedged", "not clear"),
    ("The allegations against the coach surfaced in May.", "hedged", "allegations"),
    ("The senator is projected to win the seat by a wide margin.", "hedged", "projected"),
    ("Preliminary results showed the ruling party ahead in the capital.", "hedged", "Preliminary results"),
    ("The injuries likely happened during the fall.", "hedged", "likely"),
    ("It is thought that the boat capsized in the storm.", "hedged", "thought"),
    ("Three fishermen are feared dead after the storm.", "hedged", "feared dead"),
    ("Five climbers are presumed dead after the avalanche.", "hedged", "presumed dead"),
    ("The cause of the fire remains unknown.", "hedged", "unknown"),
    ("The cause of the crash has not yet been determined.", "hedged", "not yet been determined"),
    # estimate
    ("About 7,000 people attended the rally in the square.", "estimate", "About 7,000 people"),
    ("More than 95% of voters backed the plan.", "estimate", "More than 95%"),
    ("Roughly a third of the budget went on salaries.", "estimate", "Roughly a third"),
    ("Thousands of people marched through the city.", "estimate", "Thousands of people"),
    ("The damage cost in excess of $300 million to repair.", "estimate", "in excess of $300 million"),
    ("An estimated 200 to 300 people were trapped in the building.", "estimate", "An estimated 200 to 300 people"),
    ("Visitor numbers surpassed 100,000 this summer.", "estimate", "surpassed 100,000"),
    ("At least 52 people were killed in the floods.", "estimate", "At least 52 people"),
    ("Dozens of homes were destroyed by the fire.", "estimate", "Dozens of homes"),
    ("More than a hundred people were evacuated from the valley.", "estimate", "More than a hundred people"),
    ("Police said as many as 32 people were taken to hospital.", "estimate", "as many as 32 people"),
    ("The company lost an estimated $2bn in the crash.", "estimate", "an estimated $2bn"),
    ("Nearly two-thirds of the votes had been counted by noon.", "estimate", "Nearly two-thirds"),
    ("The estimated cost of the bridge is six billion euros.", "estimate", "six billion euros"),
    # no_evidence
    ("The president repeated the claim without evidence.", "no_evidence", "without evidence"),
    ("The report said there is no evidence that the remedy works.", "no_evidence", "no evidence"),
    (
        "The ministry gave the totals without providing numbers for the north.",
        "no_evidence",
        "without providing numbers",
    ),
    ("The accusations against the mayor remain unsubstantiated.", "no_evidence", "unsubstantiated"),
    ("The first case was dropped for insufficient evidence.", "no_evidence", "insufficient evidence"),
    # conflicting
    ("There were conflicting reports about the number of dead.", "conflicting", "conflicting reports"),
    ("Accounts differ on the weapon used in the attack.", "conflicting", "Accounts differ"),
    (
        "The attack was claimed by the rebels, but the government said the army had carried it out.",
        "conflicting",
        "the government said",
    ),
    ("Police said he wore a suicide vest, though it was later found to be a fake.", "conflicting", "later found to be"),
    (
        "The Seismology Institute reported the magnitude was 5.5; the Geological Survey reported 5.8.",
        "conflicting",
        "5.8",
    ),
    ("The family disputed the police account of the shooting.", "conflicting", "disputed the police account"),
    ("He has since said his confession was forced by the guards.", "conflicting", "has since said"),
]


@pytest.mark.parametrize(
    ("text", "reason", "words"), POSITIVE, ids=[f"{r}-{i}" for i, (_, r, _) in enumerate(POSITIVE)]
)
def test_unverified_type_is_flagged_with_its_words(nlp: Language, text: str, reason: str, words: str) -> None:
    found = flagged(nlp, text, reason)
    assert any(words in evidence for evidence in found), f"{reason} {words!r} not in {signals(nlp, text)}"


NEGATIVE = [
    # not_independently_verified / not_confirmed
    ("The company verified the identity of every customer last year.", "not_independently_verified"),
    ("The nominee remained unconfirmed by the Senate after the vote.", "not_independently_verified"),
    ("The Senate has not confirmed him as ambassador yet.", "not_confirmed"),
    ("Congress denied funding for the new wall in December.", "not_confirmed"),
    ("The court denied him bail on Monday.", "not_confirmed"),
    ("The council rejected the plan for a new stadium.", "not_confirmed"),
    ("The club did not release the player's name.", "not_confirmed"),  # withholding, no claim made
    # anonymous_source: institutions, unique offices, relations, named people, opinion groups
    ("The army said the convoy had been hit near the border.", "anonymous_source"),
    ("City police reported that the road had been closed.", "anonymous_source"),
    ("The regional health minister said the hospital was full.", "anonymous_source"),
    ("The county coroner said the man had drowned.", "anonymous_source"),
    ("His daughter said he had been ill for years.", "anonymous_source"),
    ("Maria Lopez, a hospital official, said the boy had died.", "anonymous_source"),
    ("Activists condemned the decision to close the clinic.", "anonymous_source"),
    ("Both officers said they would appeal the verdict.", "anonymous_source"),
    ("Researchers from the University of Leeds found that the drug works.", "anonymous_source"),
    (
        "Police spokesman Tom Baker said two men were arrested. Later a police spokesman said both were freed.",
        "anonymous_source",
    ),
    ("Officials did not respond to requests for comment.", "anonymous_source"),
    # unnamed_reports: factual passives, named reports, the press as audience
    ("The body was discovered by a jogger on Sunday.", "unnamed_reports"),
    ("The suspect was later identified as a local man.", "unnamed_reports"),
    ("The BBC reported that the minister had resigned.", "unnamed_reports"),
    ("Initial reports from the hospital said four were hurt.", "unnamed_reports"),
    ("He told the press that he would resign in the spring.", "unnamed_reports"),
    ("The minister spoke at a press conference on Monday.", "unnamed_reports"),
    ("The man was reported missing on Friday.", "unnamed_reports"),
    ("The Times' report on the merger was published on Monday.", "unnamed_reports"),
    # hedged: named claims and accusations, forecasts, hypotheticals, questions, opinions
    ("The ministry claimed the strike hit an ammunition depot.", "hedged"),
    ("The opposition accused the president of lying to parliament.", "hedged"),
    ("Prices are likely to rise next year.", "hedged"),
    ("The war could be inevitable, the general warned.", "hedged"),
    ("The virus may cause more deaths by August.", "hedged"),
    ("The old bridge might collapse in the next storm.", "hedged"),
    ("If we had been called, we might have saved him.", "hedged"),
    ("Is it possible that the fire started in the kitchen?", "hedged"),
    ("I believe I am right about the new law.", "hedged"),
    # estimate: times, durations, measures, thresholds, plans, quantifiers, exact figures, ages
    ("The meeting started at about 3:30 in the afternoon.", "estimate"),
    ("He had worked at the mill for over 60 years.", "estimate"),
    ("The storm passed about 250 miles south of the island.", "estimate"),
    ("The plane flew at over 500 mph when it lost contact.", "estimate"),
    ("At least 1,000 signatures are needed to call a vote.", "estimate"),
    ("Parties need at least 15% to qualify for seats.", "estimate"),
    ("The firm will hire over 2,000 staff next year.", "estimate"),
    ("Many residents were evacuated from the valley.", "estimate"),
    ("Several shops were damaged in the storm.", "estimate"),
    ("5.5 million people live in the region.", "estimate"),
    ("The man, aged about 40, was arrested at the scene.", "estimate"),
    # no_evidence
    ("Police found evidence of a break-in at the shop.", "no_evidence"),
    # conflicting: a claim and its denial, figures changed with time, one speaker going on
    ("The ministry said the deal was legal, but the opposition denied it.", "conflicting"),
    (
        "The ministry said 36 cases were found on Monday. On Friday the ministry said 58 cases were found.",
        "conflicting",
    ),
    ("Officials said the fire was contained, but said the road would stay closed.", "conflicting"),
    ("The ministry reported six deaths and seven injuries, according to Reuters.", "conflicting"),
]


@pytest.mark.parametrize(("text", "reason"), NEGATIVE, ids=[f"not-{r}-{i}" for i, (_, r) in enumerate(NEGATIVE)])
def test_unverified_exclusion_is_not_flagged(nlp: Language, text: str, reason: str) -> None:
    report = build_report(nlp(text))
    wrong = [u.evidence for u in report.unverified if u.reason in MATCH.get(reason, {reason})]
    assert not wrong, f"{reason} flagged in {text!r}: {wrong}"


def test_unverified_anonymous_source_is_tied_to_what_the_source_said(nlp: Language) -> None:
    report = build_report(nlp("A hospital official said the boy had died of his wounds on Sunday."))
    item = next(u for u in report.unverified if u.reason == "anonymous_source")
    claim = report.claim(item.claim_id)
    assert claim is not None and "the boy had died" in claim.text


def test_unverified_new_reason_has_a_label() -> None:
    from bot.report import REASON_LABELS

    assert REASON_LABELS["conflicting"] == "conflicting versions"


# --- the labelled Wikinews sample -----------------------------------------------------------------


def _sample() -> list[dict[str, Any]]:
    return [json.loads(line) for line in (DATA / "unverified-sample.jsonl").open(encoding="utf-8")]


def _overlaps(a: Span | list[int], b: Span | list[int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


@pytest.fixture(scope="module")
def sample_reports(nlp: Language) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """Each labelled article with the report's unverified items (single_source left out, as the scorer does)."""
    rows = []
    for article in _sample():
        report = analyze_text(nlp, article["text"])
        items = [u for u in report.to_dict()["unverified"] if u["reason"] != "single_source"]
        rows.append((article, items))
    return rows


def test_unverified_sample_labels_match_their_text() -> None:
    for article in _sample():
        for item in article["items"]:
            assert article["text"][item["span"][0] : item["span"][1]] == item["evidence"]


def test_unverified_sample_every_labelled_sentence_is_found_with_its_type(
    sample_reports: list[tuple[dict[str, Any], list[dict[str, Any]]]],
) -> None:
    for article, items in sample_reports:
        for gold in article["items"]:
            reasons = MATCH.get(gold["type"], {gold["type"]})
            assert any(_overlaps(u["span"], gold["sentence_span"]) and u["reason"] in reasons for u in items), (
                article["id"],
                gold["type"],
                gold["evidence"],
            )


def test_unverified_sample_nothing_is_flagged_outside_labelled_sentences(
    sample_reports: list[tuple[dict[str, Any], list[dict[str, Any]]]],
) -> None:
    for article, items in sample_reports:
        sentences = [gold["sentence_span"] for gold in article["items"]]
        stray = [u["evidence"] for u in items if not any(_overlaps(u["span"], s) for s in sentences)]
        assert not stray, (article["id"], stray)


@pytest.mark.skipif(not SCORER.exists(), reason="the dev scorer lives in ../shared, beside the project")
def test_unverified_sample_dev_scorer_gives_full_marks(
    tmp_path: Path, sample_reports: list[tuple[dict[str, Any], list[dict[str, Any]]]]
) -> None:
    labels, articles, preds = tmp_path / "labels.jsonl", tmp_path / "articles.jsonl", tmp_path / "pred.jsonl"
    labels.write_text("".join(json.dumps({"id": a["id"], "items": a["items"]}) + "\n" for a, _ in sample_reports))
    articles.write_text("".join(json.dumps({"id": a["id"], "text": a["text"]}) + "\n" for a, _ in sample_reports))
    preds.write_text("".join(json.dumps({"id": a["id"], "unverified": u}) + "\n" for a, u in sample_reports))
    run = subprocess.run(
        [sys.executable, str(SCORER), str(labels), str(articles), str(preds), "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    scores = json.loads(run.stdout)
    assert scores["without_report"] == 0
    assert (scores["p"], scores["r"]) == (1.0, 1.0)
    assert all(value == 1.0 for value in scores["typed_recall"].values()), scores["typed_recall"]
