"""Matching precision and recall on the labelled claim pairs, and the sweep that sets the thresholds.

    python -m bot.matching_eval [tests/data/claim-pairs.jsonl] [--details]

The pairs (``tests/data/README.md`` says how they were built and labelled) are split in two halves by
their number: odd ids tune, even ids check. The sweep tries every pair of thresholds on the tuning half
and keeps the one with the best F1 among those with precision >= :data:`MIN_PRECISION` (ties: the
higher thresholds); the same thresholds are then measured on the checking half and on all pairs. A
predicted match counts as right when the pair is labelled same, corroborating or conflicting; the label
itself is scored apart ("labels right among the right matches"). ``--details`` lists every pair scored
wrong at the chosen thresholds: its half, label, verdict, the rule or score that decided it, and the texts.
The pairs of two different articles are also measured apart: the desk never compares two claims of one
article, so that line is what the bot can find.
"""

from __future__ import annotations

import argparse
import itertools
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.matching import ClaimKey, Idf, Match, Thresholds, claim_key, compare, decide, idf_from_counts
from bot.report import Figure

PAIRS = Path(__file__).resolve().parent.parent / "tests" / "data" / "claim-pairs.jsonl"
#: The outlet of every article of the set.
OUTLET = "Wikinews"
MIN_PRECISION = 0.9
MATCH_GRID = tuple(round(0.2 + 0.01 * i, 2) for i in range(76))
CONFLICT_GRID = tuple(round(0.5 + 0.05 * i, 2) for i in range(11))


@dataclass(frozen=True, slots=True)
class Pair:
    id: str
    label: str
    a: ClaimKey
    b: ClaimKey
    #: The two claims' texts (for ``--details``).
    texts: tuple[str, str] = ("", "")
    #: Both claims are of one article: the desk never compares those (it matches a new article's claims
    #: against the claims of the chat's other articles), so they are also reported apart.
    one_article: bool = False


@dataclass(frozen=True, slots=True)
class Scores:
    precision: float
    recall: float
    tp: int
    fp: int
    fn: int
    labels_right: int

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


def _key(claim: dict[str, Any]) -> ClaimKey:
    names = [claim["source"], *claim["source_aliases"]] if claim["source"] else []
    figures = [
        Figure(f["text"], (f["span"][0], f["span"][1]), f["value"], f["approximate"], f["counts"])
        for f in claim["figures"]
    ]
    return claim_key(claim["text"], names, OUTLET, figures, frozenset(claim["article_names"]))


def load(path: Path = PAIRS) -> tuple[list[Pair], Idf]:
    """The pairs with their keys, and the idf over their distinct claims (the stored claims of one chat)."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    keys: dict[tuple[str, str], ClaimKey] = {}
    for row in rows:
        for claim in (row["a"], row["b"]):
            keys.setdefault((claim["article"], claim["claim_id"]), _key(claim))
    doc_freq = Counter(term for key in keys.values() for term in key.terms)
    pairs = [
        Pair(
            row["id"],
            row["label"],
            keys[row["a"]["article"], row["a"]["claim_id"]],
            keys[row["b"]["article"], row["b"]["claim_id"]],
            (row["a"]["text"], row["b"]["text"]),
            row["a"]["article"] == row["b"]["article"],
        )
        for row in rows
    ]
    return pairs, idf_from_counts(doc_freq, len(keys))


def measure(pairs: Sequence[Pair], idf: Idf, thresholds: Thresholds) -> Scores:
    """Precision and recall of "is a match" over ``pairs``."""
    tp = fp = fn = labels_right = 0
    for pair in pairs:
        found: Match | None = compare(pair.b, pair.a, idf, thresholds)
        gold = pair.label != "unrelated"
        if found and gold:
            tp += 1
            labels_right += found.label == pair.label
        elif found:
            fp += 1
        elif gold:
            fn += 1
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return Scores(precision, recall, tp, fp, fn, labels_right)


def halves(pairs: Sequence[Pair]) -> tuple[list[Pair], list[Pair]]:
    """(tuning, checking): odd-numbered ids, even-numbered ids."""
    tune = [p for p in pairs if int(p.id[1:]) % 2]
    return tune, [p for p in pairs if not int(p.id[1:]) % 2]


def sweep(pairs: Sequence[Pair], idf: Idf) -> Thresholds:
    """The thresholds with the best F1 at precision >= MIN_PRECISION on ``pairs`` (ties: the higher)."""
    best: tuple[float, Thresholds] | None = None
    for values in itertools.product(MATCH_GRID, CONFLICT_GRID):
        thresholds = Thresholds(*values)
        scores = measure(pairs, idf, thresholds)
        if scores.precision >= MIN_PRECISION and (best is None or scores.f1 >= best[0]):
            best = (scores.f1, thresholds)
    if best is None:
        raise ValueError(f"no thresholds reach precision {MIN_PRECISION} on the tuning half")
    return best[1]


def details(pairs: Sequence[Pair], idf: Idf, thresholds: Thresholds) -> list[str]:
    """The pairs scored wrong, each as lines: id, half, label, verdict and why, then the two texts."""
    lines = []
    for pair in pairs:
        found = decide(pair.b, pair.a, idf, thresholds)
        matched = isinstance(found, Match)
        if matched == (pair.label != "unrelated"):
            continue
        half = "tuning" if int(pair.id[1:]) % 2 else "checking"
        verdict = f"{found.label} ({found.score:.3f})" if isinstance(found, Match) else f"no match: {found}"
        lines.append(f"{pair.id} [{half}] labelled {pair.label}, scored {verdict}")
        lines.extend(f"    {side}: {text}" for side, text in zip("AB", pair.texts, strict=True))
    return lines


def _line(name: str, scores: Scores) -> str:
    return (
        f"{name}: matching precision {scores.precision:.3f}, recall {scores.recall:.3f} "
        f"(TP {scores.tp}, FP {scores.fp}, FN {scores.fn}; labels right among the right matches "
        f"{scores.labels_right} of {scores.tp})"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.matching_eval", description=__doc__.splitlines()[0])
    parser.add_argument("pairs", nargs="?", type=Path, default=PAIRS)
    parser.add_argument("--details", action="store_true", help="list the pairs scored wrong and why")
    args = parser.parse_args(argv)
    pairs, idf = load(args.pairs)
    tune, check = halves(pairs)
    chosen = sweep(tune, idf)
    labels = Counter(p.label for p in pairs)
    print(f"claim pairs: {len(pairs)} ({', '.join(f'{n} {label}' for label, n in sorted(labels.items()))})")
    print(f"thresholds chosen on the tuning half ({len(tune)} pairs): {chosen}")
    print(_line(f"tuning half ({len(tune)} pairs)", measure(tune, idf, chosen)))
    print(_line(f"checking half ({len(check)} pairs)", measure(check, idf, chosen)))
    print(_line(f"all pairs ({len(pairs)})", measure(pairs, idf, chosen)))
    across = [p for p in pairs if not p.one_article]
    print(_line(f"pairs of two articles ({len(across)}, those the desk compares)", measure(across, idf, chosen)))
    if args.details:
        print("\n".join(details(pairs, idf, chosen)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
