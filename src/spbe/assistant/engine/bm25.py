"""BM25 (Lucene variant: idf = ln(1 + (N - df + 0.5) / (df + 0.5))) over a small in-memory corpus.

A knowledge base is a few thousand short phrasings, so a term → (doc ids, term weights) map
with numpy accumulation answers a query in well under a millisecond.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict

import numpy as np


class BM25:
    def __init__(self, documents: list[list[str]], k1: float = 1.2, b: float = 0.75,
                 groups: list[int] | None = None, max_group_share: float = 1.0):
        self.size = len(documents)
        lengths = np.array([len(d) for d in documents], dtype=np.float64)
        average = float(lengths.mean()) if self.size else 0.0
        postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for doc_id, doc in enumerate(documents):
            for term, tf in Counter(doc).items():
                postings[term].append((doc_id, tf))
        self._postings: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        if groups is not None and max_group_share < 1.0:
            # Words found in the phrasings of most entries ("levy", "tax", "Bali") say nothing about
            # which entry is meant but add noise: drop them, like a domain stop-word list.
            total = len(set(groups)) or 1
            for term in [t for t, rows in postings.items() if len({groups[r[0]] for r in rows}) > max_group_share * total]:
                del postings[term]
        for term, rows in postings.items():
            ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
            tfs = np.fromiter((r[1] for r in rows), dtype=np.float64, count=len(rows))
            idf = math.log(1 + (self.size - len(rows) + 0.5) / (len(rows) + 0.5))
            norm = k1 * (1 - b + b * lengths[ids] / (average or 1.0))
            self._postings[term] = (ids, idf * tfs * (k1 + 1) / (tfs + norm))

    def scores(self, query: list[str]) -> np.ndarray:
        total = np.zeros(self.size, dtype=np.float64)
        for term in set(query):
            hit = self._postings.get(term)
            if hit is not None:
                np.add.at(total, hit[0], hit[1])
        return total
