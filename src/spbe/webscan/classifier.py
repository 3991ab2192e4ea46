"""Promotion vs mention: does the gambling vocabulary on a page *sell* gambling, or report on
it (a press release about fighting judol, a warning, a court case)?

A logistic regression over word unigrams and bigrams of the normalised, de-leeted text,
trained with plain SGD (no network, no heavy dependencies). ``spbe webscan_train`` fits it
from ``data/training.jsonl`` and writes ``data/model.json``; the weights are committed so a
scan never trains. The training texts are written separately from the evaluation corpus.
"""

from __future__ import annotations

import json
import math
import random
import re
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
    return grams


def train(examples: list[tuple[str, int]], epochs: int = 30, rate: float = 0.2, l2: float = 1e-4, seed: int = 7) -> dict:
    weights: dict[str, float] = {}
    bias = 0.0
    rows = [(features(text), label) for text, label in examples]
    rng = random.Random(seed)
    for epoch in range(epochs):
        rng.shuffle(rows)
        step = rate / (1 + epoch * 0.1)
        for feats, label in rows:
            z = bias + sum(weights.get(f, 0.0) for f in feats)
            p = 1 / (1 + math.exp(-max(-30, min(30, z))))
            gradient = p - label
            bias -= step * gradient
            for f in feats:
                w = weights.get(f, 0.0)
                weights[f] = w - step * (gradient + l2 * w)
    kept = {f: round(w, 4) for f, w in weights.items() if abs(w) >= 0.01}
    return {"bias": round(bias, 4), "weights": kept}


def load_training() -> list[tuple[str, int]]:
    examples = []
    for line in TRAINING_PATH.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            examples.append((row["text"], 1 if row["label"] == "promo" else 0))
    return examples


def save(model: dict) -> None:
    MODEL_PATH.write_text(json.dumps(model, sort_keys=True, ensure_ascii=False, indent=0), encoding="utf-8")


@cache
def _model() -> dict:
    return json.loads(MODEL_PATH.read_text(encoding="utf-8"))


def promo_probability(text: str) -> float:
    model = _model()
    weights = model["weights"]
    z = model["bias"] + sum(weights.get(f, 0.0) for f in features(text))
    return 1 / (1 + math.exp(-max(-30, min(30, z))))
