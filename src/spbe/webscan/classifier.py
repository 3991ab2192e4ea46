"""Promotion vs mention: does the gambling vocabulary on a page *sell* gambling, or report on
it (a press release about fighting judol, a warning, a court case, a travel page on Macau)?

A logistic regression over the normalised, de-leeted text: word unigrams and bigrams, plus the
first and last four letters of long words (so an unseen brand such as "dewacuan303" still
shares "dewa"/"n303" with known ones). ``spbe webscan_train`` fits it on ``data/training.jsonl``
(11k texts from many sources, real news prose included; see tools/make_webscan_training.py)
and writes ``data/model.json``; the weights are committed so a scan never trains.
``spbe webscan_train --report`` also evaluates leave-one-source-out and leave-one-technique-out.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter, defaultdict
from functools import cache
from pathlib import Path

from .normalize import deleet, normalize

DATA_DIR = Path(__file__).resolve().parent / "data"
MODEL_PATH = DATA_DIR / "model.json"
TRAINING_PATH = DATA_DIR / "training.jsonl"
_TOKEN = re.compile(r"[a-z0-9]+")


def features(text: str) -> set[str]:
    tokens = _TOKEN.findall(deleet(normalize(text)))
    grams = set(tokens)
    grams.update(f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False))
    for token in tokens:
        if len(token) >= 7:
            grams.add(f"<{token[:4]}")
            grams.add(f"{token[-4:]}>")
    return grams


def load_training() -> list[dict]:
    rows = []
    for line in TRAINING_PATH.read_text(encoding="utf-8").splitlines():
        if line.strip():
            rows.append(json.loads(line))
    return rows


def train(rows: list[dict], epochs: int = 12, rate: float = 0.1, l2: float = 2e-5, min_count: int = 2,
          seed: int = 7) -> dict:
    """Balanced logistic regression by SGD on sparse features (numpy for the weight vector)."""
    import numpy as np

    featured = [(sorted(features(r["text"])), 1 if r["label"] == "promo" else 0) for r in rows]
    counts = Counter(f for feats, _label in featured for f in feats)
    vocabulary = {f: i for i, f in enumerate(sorted(f for f, c in counts.items() if c >= min_count))}
    encoded = [(np.fromiter((vocabulary[f] for f in feats if f in vocabulary), dtype=np.int64), label)
               for feats, label in featured]
    positives = sum(label for _x, label in encoded) or 1
    negatives = (len(encoded) - positives) or 1
    class_weight = {1: len(encoded) / (2 * positives), 0: len(encoded) / (2 * negatives)}
    weights = np.zeros(len(vocabulary))
    bias = 0.0
    order = np.random.default_rng(seed)
    for epoch in range(epochs):
        step = rate / (1 + epoch * 0.3)
        for index in order.permutation(len(encoded)):
            x, label = encoded[index]
            z = bias + weights[x].sum()
            p = 1 / (1 + math.exp(-max(-30.0, min(30.0, z))))
            gradient = (p - label) * class_weight[label]
            weights[x] -= step * (gradient + l2 * weights[x])
            bias -= step * gradient
    names = sorted(vocabulary, key=vocabulary.get)
    kept = {name: round(float(w), 4) for name, w in zip(names, weights, strict=True) if abs(w) >= 0.02}
    return {"bias": round(bias, 4), "weights": kept}


def probability(model: dict, text: str) -> float:
    weights = model["weights"]
    z = model["bias"] + sum(weights.get(f, 0.0) for f in features(text))
    return 1 / (1 + math.exp(-max(-30, min(30, z))))


def held_out_report(rows: list[dict], key: str, only_label: str | None = None) -> dict:
    """Train without each value of ``key`` (source or technique), test on it: the share of its
    texts classified correctly (promotion recognised, or mention left alone)."""
    groups = defaultdict(list)
    for row in rows:
        if only_label is None or row["label"] == only_label:
            groups[row[key]].append(row)
    report = {}
    for value, test in sorted(groups.items()):
        model = train([r for r in rows if r[key] != value], epochs=6)
        correct = sum((probability(model, r["text"]) >= 0.5) == (r["label"] == "promo") for r in test)
        report[value] = {"n": len(test), "label": test[0]["label"] if only_label else "mixed",
                         "correct": round(correct / len(test), 3)}
    return report


def save(model: dict) -> None:
    MODEL_PATH.write_text(json.dumps(model, sort_keys=True, ensure_ascii=False, indent=0), encoding="utf-8")


@cache
def _model() -> dict:
    return json.loads(MODEL_PATH.read_text(encoding="utf-8"))


def promo_probability(text: str) -> float:
    return probability(_model(), text)
