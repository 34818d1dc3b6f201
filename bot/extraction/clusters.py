"""Word clusters for the attribution tagger: what a word means in its sentence, as a cluster number.

``en_core_web_sm`` fills ``doc.tensor`` with the output of its shared tok2vec layer (96 numbers per
token, what its tagger and parser read). k-means over those rows of the training articles' words gives
each word the number of its nearest centroid, a Brown-cluster-style feature: words used alike share a
number, so what the CRF (:mod:`bot.extraction.model`) learns of one carries to the others.

Why: 28% of PolNeAR's gold cues are words in none of the lexicon's classes, about 1,200 lemmas each seen
a handful of times ("denounce", "mock", "hint"); a CRF over word identities cannot learn them, one that
also sees their cluster can. On the inner validation articles the clusters raised content F1 from 0.689
to 0.697 (docs/model.md).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy
from numpy.typing import NDArray
from spacy.tokens import Doc

#: The k-means clusterings: their sizes, how many training rows are sampled (with a fixed seed), and the
#: Lloyd steps. Two sizes: the coarse one generalises, the fine one tells apart what it lumps together.
CLUSTER_SIZES, CLUSTER_SAMPLE, CLUSTER_STEPS, SEED = (64, 256), 60_000, 25, 0
#: The width of ``doc.tensor`` in ``en_core_web_sm`` (its tok2vec layer); another pipeline's tensor, or
#: none, gives no cluster features.
TENSOR_WIDTH = 96

Floats = NDArray[numpy.float32]


@dataclass(frozen=True)
class WordClusters:
    """k-means centroids over tensor rows, one array per clustering (:data:`CLUSTER_SIZES`)."""

    centroids: tuple[Floats, ...]

    @classmethod
    def fit(cls, rows: Floats) -> WordClusters:
        """Lloyd's k-means on a fixed-seed sample of ``rows``, started from sampled rows (deterministic)."""
        random = numpy.random.default_rng(SEED)
        found = []
        for size in CLUSTER_SIZES:
            sample = rows[random.choice(len(rows), min(CLUSTER_SAMPLE, len(rows)), replace=False)]
            centroids = sample[random.choice(len(sample), min(size, len(sample)), replace=False)].copy()
            for _ in range(CLUSTER_STEPS):
                nearest = _nearest(sample, centroids)
                for k in range(len(centroids)):
                    members = sample[nearest == k]
                    if len(members):
                        centroids[k] = members.mean(axis=0)
            found.append(centroids)
        return cls(tuple(found))

    def assign(self, doc: Doc) -> list[list[int]]:
        """Per clustering, the cluster of each token of ``doc`` (none without the pipeline's tensor)."""
        tensor = doc.tensor
        if not isinstance(tensor, numpy.ndarray) or tensor.shape != (len(doc), TENSOR_WIDTH):
            return []
        rows = numpy.asarray(tensor, dtype=numpy.float32)
        return [_nearest(rows, centroids).tolist() for centroids in self.centroids]

    def save(self, path: Path) -> Path:
        """Write the centroids as JSON (the same clusters give the same bytes)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        data = [centroids.tolist() for centroids in self.centroids]
        path.write_text(json.dumps(data, separators=(",", ":")) + "\n", encoding="utf-8")
        return path

    @classmethod
    def load(cls, path: Path) -> WordClusters:
        """The clusters written by :meth:`save`."""
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(tuple(numpy.array(centroids, dtype=numpy.float32) for centroids in data))


def training_rows(docs: list[Doc]) -> Floats:
    """The tensor rows of every token of ``docs`` (what :meth:`WordClusters.fit` clusters)."""
    return numpy.concatenate([numpy.asarray(doc.tensor, dtype=numpy.float32) for doc in docs])


#: OpenBLAS multiplies matrices of up to this many multiply-adds on one thread (its default
#: ``GEMM_MULTITHREAD_THRESHOLD``, 4, times 65,536).
_ONE_THREAD_PRODUCT = 262_144


def _nearest(rows: Floats, centroids: Floats) -> NDArray[numpy.intp]:
    """The index of each row's nearest centroid (squared Euclidean distance), in blocks of rows.

    Why the blocks: one product of an article's rows with 256 centroids is big enough for numpy's
    OpenBLAS to start its threads, which on a busy 2-core machine (two extraction workers) spin for more
    CPU than the product takes (0.8 to 1.5 s against 0.3 s of CPU for 100 articles); blocks small enough for one
    thread give the same numbers.
    """
    block = max(1, _ONE_THREAD_PRODUCT // (len(centroids) * rows.shape[1]))
    squares = (centroids * centroids).sum(axis=1)[None, :]
    nearest = numpy.empty(len(rows), dtype=numpy.intp)
    for start in range(0, len(rows), block):
        nearest[start : start + block] = (squares - 2 * rows[start : start + block] @ centroids.T).argmin(axis=1)
    return nearest
