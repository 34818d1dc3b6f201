"""Train the span model on PolNeAR: ``python -m bot.extraction.train_spans``.

The same articles, split and parse cache as the CRF (:mod:`bot.extraction.train`): the parsed docs
come from the ``DocBin`` cache, each becomes a spaCy ``Example`` whose predicted side is the parsed doc
(its features stored, its entities cleared: :func:`bot.extraction.span_model.prepare`) and whose
reference has the gold sources, cues and contents as entities, so nothing is parsed again per epoch.
Training is reproducible: one seed fixes spaCy's and numpy's random state and the order of the
batches, and the weights written are the optimizer's running averages.
"""

from __future__ import annotations

import random
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.training import Example
from spacy.util import load_config, load_model_from_config, registry
from thinc.api import fix_random_seed

from bot.extraction.model import span_tags
from bot.extraction.pipeline import load_pipeline, rule_attributions
from bot.extraction.span_model import CONFIG_PATH, SPAN_MODEL_PATH, prepare
from bot.extraction.train import Frame, gold_frames, held_back, parsed, read_articles, training_arguments

#: Passes over the training articles, articles per update and dropout, chosen on the inner validation
#: articles (``python -m benchmarks.attribution train-spans``; docs/model.md).
EPOCHS = 4
BATCH_SIZE = 2
DROPOUT = 0.1
SEED = 0
#: What the written pipeline says about itself (its meta.json).
META = {
    "name": "claimdesk_spans",
    "description": "Claimdesk's attribution spans (SRC, CUE, CON, CONT; docs/model.md), trained on PolNeAR "
    "(Newell, Margolin and Ruths, LREC 2018); no annotated text is stored, only weights",
}


def gold_spans(tags: Sequence[str], sentence_starts: Sequence[bool]) -> list[tuple[int, int, str]]:
    """(start, end, label) token spans from per-token tags (:func:`bot.extraction.model.span_tags`).

    A run of one label within a sentence is one span. A content's later fragment (``I-CON`` after a
    gap) and a content's part in a later sentence are ``CONT`` spans, so the decoder joins them to the
    content before it. Why split at sentences: spaCy's ``ner`` never lets an entity cross a sentence
    boundary, and a quotation of several sentences is one content.
    """
    spans: list[tuple[int, int, str]] = []
    start, label = -1, ""
    for i, tag in enumerate([*tags, "O"]):
        base = tag[2:]
        new_sentence = i < len(tags) and sentence_starts[i]
        if label and tag.startswith("I-") and base == ("CON" if label == "CONT" else label) and not new_sentence:
            continue
        if label:
            spans.append((start, i, label))
        start, label = i, ("" if tag == "O" else "CONT" if tag == "I-CON" else base)
    return spans


def span_examples(docs: Iterable[Doc], texts: Iterable[str], frames: Iterable[list[Frame]]) -> list[Example]:
    """One training example per article: the parsed doc ready for the component, and the gold spans."""
    result = []
    for doc, text, gold in zip(docs, texts, frames, strict=True):
        quotes, finds = rule_attributions(doc, text)
        reference = Doc(doc.vocab, words=[t.text for t in doc], spaces=[bool(t.whitespace_) for t in doc])
        reference.set_ents(
            [
                Span(reference, s, e, label=label)
                for s, e, label in gold_spans(span_tags(doc, gold), [bool(t.is_sent_start) for t in doc])
            ],
            default="outside",
        )
        prepare(doc, quotes, finds)
        result.append(Example(doc, reference))
    return result


def train_spans(
    examples: Sequence[Example],
    out: Path,
    epochs: int = EPOCHS,
    seed: int = SEED,
    after_epoch: Callable[[int, Language], None] | None = None,
) -> Path:
    """Train the span component (``models/spans.cfg``) on ``examples`` and write the pipeline to ``out``.

    ``after_epoch`` is called after each pass with its number and the pipeline, its weights the running
    averages (the experiment loop saves each epoch's model with it).
    """
    fix_random_seed(seed)
    config = load_config(CONFIG_PATH)
    nlp = load_model_from_config(config, auto_fill=True, validate=True)
    optimizer = registry.resolve({"optimizer": config["training"]["optimizer"]})["optimizer"]
    nlp.initialize(lambda: examples, sgd=optimizer)
    nlp.meta.update(META)
    order = list(examples)
    shuffle = random.Random(seed)
    for epoch in range(epochs):
        started = time.monotonic()
        shuffle.shuffle(order)
        losses: dict[str, float] = {}
        for first in range(0, len(order), BATCH_SIZE):
            batch = order[first : first + BATCH_SIZE]
            nlp.update(batch, drop=DROPOUT, sgd=optimizer, losses=losses)
        print(
            f"epoch {epoch + 1}: loss {losses.get('ner', 0.0):.0f}, {time.monotonic() - started:.0f} s", file=sys.stderr
        )
        if after_epoch is not None:
            with nlp.use_params(optimizer.averages):
                after_epoch(epoch + 1, nlp)
    out.parent.mkdir(parents=True, exist_ok=True)
    with nlp.use_params(optimizer.averages):
        nlp.to_disk(out)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    ap = training_arguments("python -m bot.extraction.train_spans", __doc__.split("\n")[0], SPAN_MODEL_PATH)
    ap.add_argument("--epochs", type=int, default=EPOCHS)
    args = ap.parse_args(argv)
    started = time.monotonic()
    articles = read_articles(args.data)
    docs = parsed(load_pipeline(args.model), articles, args.cache)
    chosen = [i for i, a in enumerate(articles) if not held_back(a["id"])]
    examples = span_examples(
        (docs[i] for i in chosen), (articles[i]["text"] for i in chosen), (gold_frames(articles[i]) for i in chosen)
    )
    print(
        f"{len(examples)} training articles of {len(articles)}; ready in {time.monotonic() - started:.0f} s",
        file=sys.stderr,
    )
    train_spans(examples, args.out, args.epochs)
    size = sum(p.stat().st_size for p in args.out.rglob("*") if p.is_file()) / 1e6
    print(f"wrote {args.out} ({size:.1f} MB) in {time.monotonic() - started:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
