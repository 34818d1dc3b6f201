"""Text in, report out: pure, synchronous and CPU-bound. spaCy objects never leave this package."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import replace

import spacy
from spacy.language import Language
from spacy.symbols import ORTH
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc

from bot.extraction.attribution import Found, find_attributions
from bot.extraction.checks import DEFAULT_EXTRACTOR, EXTRACTORS, InputRejected, check_input, report_version
from bot.extraction.claims import build_claims
from bot.extraction.lexicon import TITLE_WORDS
from bot.extraction.model import combine, load_tagger
from bot.extraction.sources import resolve_sources
from bot.extraction.span_model import load_span_tagger
from bot.extraction.spans import SpanIndex
from bot.extraction.text import Paragraph, dateline_end, paragraphs, quotations
from bot.extraction.unverified import find_signals
from bot.extraction.verification import link_unverified, score_checkworthiness
from bot.report import Article, Attribution, Report


@Language.component("claimdesk_paragraphs")
def mark_paragraph_starts(doc: Doc) -> Doc:
    """A new line starts a new sentence.

    Why: headlines, related-links lines and bylines have no final full stop, and the parser
    otherwise runs them into the next paragraph's first sentence.
    """
    for token in doc[:-1]:
        if token.is_space and "\n" in token.text:
            doc[token.i + 1].is_sent_start = True
    return doc


def load_pipeline(model: str) -> Language:
    """Load an installed spaCy pipeline by package name, with Claimdesk's tokenizer exceptions."""
    try:
        nlp = spacy.load(model)
    except OSError as error:
        raise InputRejected("model", f"spaCy pipeline {model!r} is not installed: {error}") from None
    if "parser" in nlp.pipe_names:
        nlp.add_pipe("claimdesk_paragraphs", before="parser")
    tokenizer = nlp.tokenizer
    if isinstance(tokenizer, Tokenizer):
        for title in (t for t in TITLE_WORDS if t.endswith(".")):
            # Why: "Brig." and "Gen." are titles, not sentence ends; without the exception the
            # tokenizer splits the period off and the parser ends the sentence there.
            for form in (title, title.capitalize()):
                tokenizer.add_special_case(form, [{ORTH: form}])
    return nlp


def load_extractor(extractor: str) -> str:
    """Load what ``extractor`` needs once in this process (the trained model for ``"model"`` and
    ``"spans"``); returns it."""
    if extractor not in EXTRACTORS:
        raise ValueError(f"unknown extractor {extractor!r} (one of {', '.join(EXTRACTORS)})")
    if extractor == "model":
        load_tagger()
    elif extractor == "spans":
        load_span_tagger()
    return extractor


def analyze_text(
    nlp: Language,
    text: str,
    *,
    title: str | None = None,
    outlet: str | None = None,
    published: str | None = None,
    extractor: str = DEFAULT_EXTRACTOR,
) -> Report:
    """Analyse one article (raises :class:`InputRejected` for text that is not one)."""
    check_input(text)
    return build_report(nlp(text), title=title, outlet=outlet, published=published, text=text, extractor=extractor)


def build_report(
    doc: Doc,
    *,
    title: str | None = None,
    outlet: str | None = None,
    published: str | None = None,
    text: str | None = None,
    extractor: str = DEFAULT_EXTRACTOR,
) -> Report:
    """The report for a parsed article; ``text`` is the string it was parsed from, when the caller has it
    (``Doc.text`` is rebuilt from the tokens on every access); ``extractor`` is ``"model"`` (the trained
    tagger with the rules, :mod:`bot.extraction.model`), ``"spans"`` (the span model with the rules,
    :mod:`bot.extraction.span_model`) or ``"rules"`` (the rules alone)."""
    text = doc.text if text is None else text
    paras = paragraphs(text)
    body = [p.span for p in paras if not p.boilerplate]
    quotes, finds = rule_attributions(doc, text, paras)
    if extractor != "rules":
        tagger = load_span_tagger() if extractor == "spans" else load_tagger()
        tagged = tagger.tag(doc, quotes, finds, text)
        skip = [p.span for p in paras if p.boilerplate]  # Why: a headline or credit line is no one's statement
        finds = combine(finds, [f for f in tagged if not any(s <= f.content[0] < e for s, e in skip)])
    sources, source_ids = resolve_sources(doc, text, finds, quotes)
    claims, conflicts = build_claims(doc, text, finds, source_ids, body)
    attributions = _attributions(text, finds, source_ids)
    unverified = link_unverified(text, claims, finds, source_ids, find_signals(doc, text, body), conflicts)
    claims = score_checkworthiness(claims, sources, unverified)
    sources = [replace(s, claims=tuple(c.id for c in claims if c.source_id == s.id)) for s in sources]
    article = Article(
        title=title or _headline(text, paras),
        outlet=outlet,
        published=published,
        language="en",
        words=len(text.split()),
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
    )
    return Report(
        article=article,
        summary=_summary(doc, text, body),
        sources=tuple(sources),
        claims=tuple(claims),
        attributions=tuple(attributions),
        unverified=tuple(unverified),
        extractor_version=report_version(extractor),
    )


def rule_attributions(
    doc: Doc, text: str, paras: Sequence[Paragraph] | None = None
) -> tuple[list[tuple[int, int]], list[Found]]:
    """The direct quotations of the text and the rules' attributions (boilerplate lines skipped)."""
    paras = paragraphs(text) if paras is None else paras
    skip = [p.span for p in paras if p.boilerplate]
    quotes = quotations(text, [p.span for p in paras])
    return quotes, find_attributions(doc, quotes, skip, text)


def _attributions(text: str, finds: Sequence[Found], source_ids: Sequence[str | None]) -> list[Attribution]:
    return [
        Attribution(
            source=text[f.source[0] : f.source[1]] if f.source else None,
            source_span=f.source,
            cue=text[f.cue[0] : f.cue[1]] if f.cue else None,
            cue_span=f.cue,
            content=text[f.content[0] : f.content[1]],
            content_span=f.content,
            source_id=source_id,
            direct=f.direct,
            content_fragments=f.fragments,
        )
        for f, source_id in zip(finds, source_ids, strict=True)
    ]


def _headline(text: str, paras: Sequence[Paragraph]) -> str | None:
    """The first headline line before the body (see :func:`paragraphs`), if any."""
    line = next((p for p in paras if p.headline), None)
    return text[line.span[0] : line.span[1]] if line is not None else None


def _summary(doc: Doc, text: str, body: Sequence[tuple[int, int]]) -> tuple[str, ...]:
    """The lead: the first body sentences, up to about 60 words and at most three."""
    sentences: list[str] = []
    words = 0
    paragraphs_kept = SpanIndex(body)
    for sent in doc.sents:
        if not paragraphs_kept.overlapping((sent.start_char, sent.start_char + 1)):
            continue
        sentence = sent.text.strip()
        sentence = sentence[dateline_end(sentence) :]
        if len(sentence.split()) < 6:
            continue
        sentences.append(sentence)
        words += len(sentence.split())
        if words >= 40 or len(sentences) == 3:
            break
    return tuple(sentences)
