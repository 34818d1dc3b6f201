"""bot/matching.py and bot/matching_eval.py: normalisation, the decision rules, and the labelled pairs."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from bot.matching import (
    THRESHOLDS,
    ClaimKey,
    claim_key,
    compare,
    idf_from_counts,
    key_from_json,
    key_to_json,
    report_keys,
    search_terms,
    stem,
    terms_of,
)
from bot.matching_eval import PAIRS, details, halves, load, main, measure, sweep
from bot.report import Article, Claim, Figure, Report, Source


def flat_idf(term: str) -> float:
    """Every word weighs the same: the decisions below do not hang on corpus statistics."""
    return 1.0


def figure(text: str, claim: str, value: float | None, counts: str | None) -> Figure:
    at = claim.index(text)
    return Figure(text, (at, at + len(text)), value, False, counts)


def key(
    text: str, source: str | None = None, outlet: str | None = "Wire", figures: tuple[Figure, ...] = ()
) -> ClaimKey:
    return claim_key(text, [source] if source else [], outlet, figures)


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("impeached", "impeach"),
        ("impeaches", "impeach"),
        ("countries", "country"),
        ("died", "die"),
        ("dies", "die"),
        ("moving", "mov"),
        ("moved", "mov"),
        ("press", "press"),
        ("Trump's".lower(), "trump"),
        ("extradition", "extradit"),
        ("extradite", "extradit"),
        ("governorship", "governor"),
        ("appointment", "appoint"),
        ("officially", "official"),
        ("nation", "nation"),
        ("stepped", "step"),
        ("steps", "step"),
        ("committed", "commit"),
        ("added", "add"),
        ("falling", "fall"),
        ("succeeds", "succe"),
        ("succeeding", "succe"),
        ("succeeded", "succe"),
        ("needed", "need"),
    ],
)
def test_matching_stem_strips_inflections(word: str, expected: str) -> None:
    assert stem(word) == expected


def test_matching_terms_drop_function_words_dates_and_numbers() -> None:
    assert terms_of("On Monday, the ministry said that 40 people died yesterday") == {"ministry", "person", "die"}


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Johnson became prime minister", "Johnson becomes prime minister"),
        ("the mayor was sworn in", "the mayor swears in"),
        ("two children were hurt", "a child was injured"),
        ("police detained the driver", "police arrested the driver"),
        ("an explosion at the plant", "a blast at the plant"),
        ("the tremor shook the city", "the earthquake shook the city"),
        ("demonstrators gathered", "protesters gathered"),
        ("an inquiry was opened", "an investigation was opened"),
        ("talks began", "talks start"),
    ],
)
def test_matching_terms_join_irregular_forms_and_news_paraphrases(one: str, other: str) -> None:
    assert terms_of(one) == terms_of(other)


def test_matching_terms_spell_out_abbreviations_and_join_synonyms() -> None:
    assert terms_of("U.S. troops killed") == terms_of("United States troops died")
    assert "stat" not in terms_of("let us go")


def test_matching_search_terms_are_sorted_content_words() -> None:
    assert search_terms(key("Rebels captured the northern town of Kafr Nabl")) == sorted(
        {"rebel", "captur", "northern", "town", "kafr", "nabl"}
    )


TOWN = "Rebels captured the northern town of Kafr Nabl after heavy fighting"


@pytest.mark.parametrize(
    ("new", "old", "expected"),
    [
        (key(TOWN), key(TOWN), "same"),
        (key(TOWN, outlet="Wire"), key(TOWN, outlet="Daily"), "corroborating"),
        (key(TOWN, source="the army"), key(TOWN), "corroborating"),
        (key(TOWN, source="Trump"), key(TOWN, source="Donald Trump"), "same"),
        (key(TOWN, outlet=None), key(TOWN, outlet="Daily"), "same"),
        (key(TOWN), key("The weather in the northern town was mild"), None),
        (key("Heavy fighting"), key("Heavy fighting"), None),
    ],
)
def test_matching_compare_labels_by_source(new: ClaimKey, old: ClaimKey, expected: str | None) -> None:
    found = compare(new, old, flat_idf)
    assert (found.label if found else None) == expected


@pytest.mark.parametrize(
    ("place", "expected"),
    [("in Idlib", [("200", "500")]), ("", None)],  # no name says the two attacks are one
)
def test_matching_compare_reports_a_conflicting_figure_of_one_named_thing(
    place: str, expected: list[tuple[str, str]] | None
) -> None:
    here = f"The attack on the market {place} killed 200 people, officials said"
    there = f"The attack on the market {place} killed 500 people, officials said"
    found = compare(
        key(here, figures=(figure("200", here, 200, "people"),)),
        key(there, figures=(figure("500", there, 500, "people"),)),
        flat_idf,
    )
    conflicts = [(a.text, b.text) for a, b in found.conflicts] if found and found.label == "conflicting" else None
    assert conflicts == expected and (found is None) == (expected is None)


@pytest.mark.parametrize(
    ("here", "there", "expected"),
    [
        ("Humberto had winds of 120 mph", "Humberto's winds reached 120 mph", "same"),
        ("Humberto had winds of 120 mph", "The storm's winds reached 120 mph", None),
        ("Dorian had winds of 120 mph", "Humberto's winds reached 120 mph", None),
    ],
)
def test_matching_compare_one_name_and_one_figure_make_a_short_claim_the_same(
    here: str, there: str, expected: str | None
) -> None:
    def figures(text: str) -> tuple[Figure, ...]:
        number = next(w for w in text.split() if w.isdigit())
        return (figure(number, text, float(number), "mph"),)

    found = compare(key(here, figures=figures(here)), key(there, figures=figures(there)), flat_idf)
    assert (found.label if found else None) == expected


def test_matching_compare_agreeing_figures_are_the_same_statement() -> None:
    here = "The attack on the market in Idlib killed 200 people"
    there = "The attack on the market in Idlib killed 200 people and wounded dozens"
    found = compare(
        key(here, figures=(figure("200", here, 200, "people"),)),
        key(there, figures=(figure("200", there, 200, "people"), figure("dozens", there, None, None))),
        flat_idf,
    )
    assert found is not None and found.label == "same"


def test_matching_compare_figures_of_other_things_that_all_differ_are_another_statement() -> None:
    here = "The attack on the market in Idlib killed 12 and injured 12 more"
    there = "The attack on the market in Idlib killed 6 and injured 7 more"
    found = compare(
        key(here, figures=(figure("12", here, 12, None),)),
        key(there, figures=(figure("6", there, 6, None), figure("7", there, 7, None))),
        flat_idf,
    )
    assert found is None


@pytest.mark.parametrize(
    ("new", "old"),
    [
        (
            "John Hickenlooper, who was a candidate in the Democratic primaries, ended his campaign",
            "Kirsten Gillibrand, who was a candidate in the Democratic primaries, ended her campaign",
        ),
        (
            "On the scale used by forecasters, category 1 hurricanes must sustain strong winds",
            "On the scale used by forecasters, category 3 hurricanes must sustain strong winds",
        ),
    ],
)
def test_matching_compare_one_template_about_another_thing_is_no_match(new: str, old: str) -> None:
    assert compare(key(new), key(old), flat_idf) is None


@pytest.mark.parametrize(
    ("new", "old", "expected"),
    [
        (
            "he will not approve a budget without funding for a border wall",
            "he will approve a budget without funding for a border wall",
            None,
        ),
        (
            "he won't approve a budget without funding for a border wall",
            "he will approve a budget without funding for a border wall",
            None,
        ),
        (
            "he will never approve a budget without funding for a border wall",
            "he would not approve a budget without funding for a border wall",
            "same",
        ),
        (
            "The minister, who did not attend the session, unveiled the new budget for schools",
            "The minister unveiled the new budget for schools",
            "same",
        ),
        (
            "if the council does not approve the harbour budget, the mayor will resign",
            "the mayor will resign if the council votes against approving the harbour budget",
            "same",
        ),
        (
            "the council did not approve the harbour budget, and the mayor will resign",
            "the council approved the harbour budget, and the mayor will resign",
            None,
        ),
        (
            "if the mayor resigns, the council will not approve the harbour budget",
            "the council will approve the harbour budget if the mayor resigns",
            None,
        ),
    ],
)
def test_matching_compare_a_denial_is_not_the_statement_it_denies(new: str, old: str, expected: str | None) -> None:
    found = compare(key(new, "Trump"), key(old, "Trump"), flat_idf)
    assert (found.label if found else None) == expected


def test_matching_key_json_keeps_the_denial() -> None:
    denied = key("he will not approve a budget")
    assert key_from_json(key_to_json(denied)) == denied
    assert denied.denied == {"approv", "budget"} and not key("he will approve a budget").denied


def test_matching_key_json_stored_with_names_as_words_loads_each_as_a_name() -> None:
    old = json.loads(key_to_json(key("Queen Elizabeth spoke to Johnson")))
    old["names"] = ["elizabeth", "johnson", "queen"]
    assert key_from_json(json.dumps(old)).names == (
        frozenset({"elizabeth"}),
        frozenset({"johnson"}),
        frozenset({"queen"}),
    )


def test_matching_key_json_stored_before_denials_loads_without_any() -> None:
    old = json.loads(key_to_json(key("he will approve a budget")))
    del old["denied"]
    assert key_from_json(json.dumps(old)) == key("he will approve a budget")


@pytest.mark.parametrize(
    ("new", "old", "expected"),
    [
        (  # a title used as the name
            key("The Queen suspended parliament at the request of Boris Johnson, the UK prime minister"),
            key("Parliament was suspended by Queen Elizabeth II at the request of Boris Johnson"),
            "same",
        ),
        (  # one word of a name that tells which one it is
            key("The militia supports the Kurdistan Workers' Party, which Ankara bans in Turkey"),
            key("The militia supports a banned Kurdish party, Ankara says"),
            "same",
        ),
        (  # the source of one claim is named by the other
            key("the emergency would allow him to fund the border wall without Congress", "Donald Trump"),
            key("Trump's emergency would allow him to fund the border wall"),
            "corroborating",
        ),
        (  # "Hurricane" says which kind, not which storm
            key("Hurricane Humberto brought heavy rain and strong winds to Bermuda"),
            key("Hurricane Dorian brought heavy rain and strong winds to the Bahamas"),
            None,
        ),
        (  # one title, two people
            key("President Trump signed the bill into law in Washington"),
            key("President Obama signed the bill into law in Chicago"),
            None,
        ),
    ],
)
def test_matching_compare_names_are_mentioned_by_the_word_that_tells_which(
    new: ClaimKey, old: ClaimKey, expected: str | None
) -> None:
    found = compare(new, old, flat_idf)
    assert (found.label if found else None) == expected


def test_matching_names_keep_the_words_of_one_name_together() -> None:
    assert key("The court heard Queen Elizabeth II and the Kurdistan Workers' Party").names == (
        frozenset({"queen", "elizabeth", "ii"}),
        frozenset({"kurdistan", "worker", "party"}),
    )


def test_matching_names_of_one_family_are_mentioned() -> None:
    new = key("Protests against the extradition bill of the Chinese government grew in Hong Kong")
    old = key("Protests against the extradition bill of the government of China grew in Hong Kong")
    assert compare(new, old, flat_idf) is not None


def test_matching_idf_weighs_rare_words_more() -> None:
    idf = idf_from_counts({"said": 90, "kafr": 1}, 100)
    assert idf("kafr") > idf("said") > 0
    assert idf("unseen") > idf("kafr")


def test_matching_report_keys_carry_source_names_and_the_outlet() -> None:
    text = "Kafr Nabl fell, the army said. Rebels captured Kafr Nabl."
    report = Report(
        Article("Kafr Nabl", "Daily", None, "en", len(text.split()), "0" * 64),
        (),
        (Source("s1", "Syrian Army", ("the army",), "military", None, True, ("c1",)),),
        (
            Claim("c1", "Kafr Nabl fell", (0, 14), "s1", "said", "paraphrase"),
            Claim("c2", "Rebels captured Kafr Nabl.", (31, 57), None, None, "outlet"),
        ),
        (),
        (),
        "test",
    )
    keys = dict(report_keys(report))
    assert keys["c1"].source == (frozenset({"syrian", "army"}), frozenset({"army"}))
    assert keys["c2"].source == () and keys["c2"].outlet == "daily"


# --- the labelled set -----------------------------------------------------------------------------


def test_matching_pairs_file_is_labelled_and_credited() -> None:
    rows = [json.loads(line) for line in PAIRS.read_text(encoding="utf-8").splitlines()]
    assert len(rows) >= 150
    assert {r["label"] for r in rows} == {"same", "corroborating", "conflicting", "unrelated"}
    assert len({r["id"] for r in rows}) == len(rows)
    readme = (PAIRS.parent / "README.md").read_text(encoding="utf-8")
    for row in rows:
        for claim in (row["a"], row["b"]):
            assert claim["url"].startswith("https://en.wikinews.org/wiki/")
            assert claim["url"] in readme, claim["url"]
            for fig in claim["figures"]:
                assert claim["text"][fig["span"][0] : fig["span"][1]] == fig["text"]


def test_matching_thresholds_are_the_sweeps_choice() -> None:
    pairs, idf = load()
    tune, _ = halves(pairs)
    assert sweep(tune, idf) == THRESHOLDS


def test_matching_eval_measures_what_it_reports(capsys: pytest.CaptureFixture[str]) -> None:
    pairs, idf = load()
    scores = measure(pairs, idf, THRESHOLDS)
    assert scores.tp + scores.fn == sum(1 for p in pairs if p.label != "unrelated")
    assert 0 < scores.precision <= 1 and 0 < scores.recall <= 1
    assert main([]) == 0
    out = capsys.readouterr().out
    assert f"all pairs ({len(pairs)}): matching precision {scores.precision:.3f}, recall {scores.recall:.3f}" in out
    assert Counter(p.label for p in pairs)["same"] > 0


def test_matching_eval_reports_the_pairs_of_two_articles_apart(capsys: pytest.CaptureFixture[str]) -> None:
    pairs, idf = load()
    across = [p for p in pairs if not p.one_article]
    assert 0 < len(across) < len(pairs)
    scores = measure(across, idf, THRESHOLDS)
    main([])
    out = capsys.readouterr().out
    assert (
        f"pairs of two articles ({len(across)}, those the desk compares): matching precision {scores.precision:.3f}"
        in out
    )


def test_matching_eval_details_list_every_pair_scored_wrong() -> None:
    pairs, idf = load()
    scores = measure(pairs, idf, THRESHOLDS)
    heads = [line for line in details(pairs, idf, THRESHOLDS) if not line.startswith(" ")]
    assert len(heads) == scores.fp + scores.fn
    assert all(" labelled " in line and ", scored " in line for line in heads)
    assert sum("labelled unrelated" in line for line in heads) == scores.fp


def test_matching_compare_a_statement_with_a_clause_added_is_the_same() -> None:
    short = key("Rosselló appointed Pierluisi secretary")
    long = key(
        "Before resigning in disgrace, Rosselló appointed Pierluisi secretary,"
        " the cabinet position whose holder succeeds to the vacant governorship of the island"
    )
    dice = 2 * len(short.terms & long.terms) / (len(short.terms) + len(long.terms))
    found = compare(long, short, flat_idf)
    assert dice < THRESHOLDS.match
    assert found is not None and found.label == "same"
