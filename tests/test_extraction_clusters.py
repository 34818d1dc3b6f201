"""The word clusters: k-means over tensor rows, the cluster of each token of a hand-built doc, their file."""

from __future__ import annotations

from pathlib import Path

import numpy
import spacy
from spacy.tokens import Doc

from bot.extraction.clusters import CLUSTER_SIZES, TENSOR_WIDTH, WordClusters, training_rows

VOCAB = spacy.blank("en").vocab


def said_doc(groups: list[int] | None = None) -> Doc:
    """Invented: ‘Smith said taxes rose .’; with ``groups``, a tensor row per token in that group."""
    doc = Doc(VOCAB, words=["Smith", "said", "taxes", "rose", "."], spaces=[True, True, True, False, False])
    if groups is not None:
        rows = numpy.zeros((len(doc), TENSOR_WIDTH), dtype=numpy.float32)
        rows[:, 0] = numpy.array(groups) * 10.0
        doc.tensor = rows
    return doc


def _rows() -> numpy.ndarray:
    """Invented tensor rows in two far-apart groups, a little spread within each."""
    rows = numpy.zeros((300, TENSOR_WIDTH), dtype=numpy.float32)
    rows[150:, 0] = 10.0
    rows[:, 1] = numpy.arange(300) % 7 / 10
    return rows


def test_clusters_put_alike_rows_together_and_apart_from_the_others() -> None:
    clusters = WordClusters.fit(_rows())
    assert [len(c) for c in clusters.centroids] == list(CLUSTER_SIZES)
    two = numpy.zeros((2, TENSOR_WIDTH), dtype=numpy.float32)
    two[1, 0] = 10.0
    assert WordClusters((two,)).assign(said_doc([0, 1, 0, 1, 0])) == [[0, 1, 0, 1, 0]]  # the nearest centroid
    for assigned in clusters.assign(said_doc([0, 1, 0, 1, 0])):
        assert assigned[0] == assigned[4] != assigned[1]  # rows of one group never share the other's cluster


def test_clusters_need_the_pipelines_tensor() -> None:
    clusters = WordClusters.fit(_rows())
    assert clusters.assign(said_doc()) == []  # a pipeline without tok2vec: no cluster features
    wrong = Doc(VOCAB, words=["a", "b"])
    wrong.tensor = numpy.zeros((2, 8), dtype=numpy.float32)  # another pipeline's width
    assert clusters.assign(wrong) == []


def test_clusters_file_round_trips_byte_for_byte(tmp_path: Path) -> None:
    clusters = WordClusters.fit(_rows())
    path = clusters.save(tmp_path / "a.json")
    again = WordClusters.fit(_rows()).save(tmp_path / "b.json")
    assert path.read_bytes() == again.read_bytes()  # the same rows give the same clusters
    doc = said_doc([0, 1, 0, 1, 0])
    assert WordClusters.load(path).assign(doc) == clusters.assign(doc)


def test_clusters_training_rows_are_every_tokens_row() -> None:
    rows = training_rows([said_doc([0, 1, 0, 1, 0]), said_doc([1, 1, 1, 1, 1])])
    assert rows.shape == (10, TENSOR_WIDTH) and rows[:, 0].tolist() == [0, 10, 0, 10, 0, 10, 10, 10, 10, 10]
