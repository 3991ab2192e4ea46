"""Offline evaluation of the assistant on the gold set (``data/gold.jsonl``).

Each gold line is a question in one of the eight languages with the entry key it should be
answered from, or ``HANDOFF`` when a person must take it (refunds, unapproved topics, out of
scope, prompt injection). The gold questions are written apart from the knowledge base and never
appear in it (a test checks this), and the engine's settings were chosen on the knowledge base's
own leave-one-out, so these figures are not tuned on the test set.

``calibration_report`` adds two views of the confidence model itself: a reliability curve on the
gold set (how often the top entry is right at each confidence) and a 5-fold cross-validation over
the realistic calibration messages (refit without a fold, then decide on it), since the messages
that choose the threshold would flatter it if scored in-sample.

Per language: hit@1, hit@3 and MRR@10 of the expected entry among all entries in force;
hand-off precision and recall (positive = must hand off); wrong-answer rate = answered with a
wrong entry, or answered when it had to hand off, over all questions; the share of answerable
questions answered right at once, and answered or offered among the suggestions; latency of ``ask``.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from importlib import resources

import numpy as np

from django.conf import settings

from . import answering, calibration, knowledge
from .engine import textproc

HANDOFF = "HANDOFF"
TARGETS = {"hit@1": 0.9, "wrong_rate": 0.02, "p95_ms": 150.0}


@dataclass
class LanguageResult:
    language: str
    questions: int = 0
    answerable: int = 0
    hits1: int = 0
    hits3: int = 0
    reciprocal: float = 0.0
    must_handoff: int = 0
    handed_off: int = 0
    handoff_true: int = 0
    wrong: int = 0
    answered_right: int = 0
    suggested_right: int = 0
    latencies: list = field(default_factory=list)
    mistakes: list = field(default_factory=list)
    confidences: list = field(default_factory=list)  # (confidence, top entry right) where retrieval decided

    def metrics(self) -> dict:
        def ratio(a, b):
            return a / b if b else None

        latencies = np.array(self.latencies) * 1000
        return {
            "language": self.language, "questions": self.questions,
            "hit@1": ratio(self.hits1, self.answerable), "hit@3": ratio(self.hits3, self.answerable),
            "mrr": ratio(self.reciprocal, self.answerable),
            "handoff_precision": ratio(self.handoff_true, self.handed_off), "handoff_recall": ratio(self.handoff_true, self.must_handoff),
            "wrong_rate": ratio(self.wrong, self.questions),
            # Share of answerable questions answered correctly at once, and answered or with the
            # right question among the offered suggestions (the chat's two-stage fallback).
            "answered": ratio(self.answered_right, self.answerable),
            "answered_or_suggested": ratio(self.answered_right + self.suggested_right, self.answerable),
            "p50_ms": float(np.percentile(latencies, 50)) if len(latencies) else None,
            "p95_ms": float(np.percentile(latencies, 95)) if len(latencies) else None,
        }


def load_gold(path: str | None = None) -> list[dict]:
    if path:
        text = open(path, encoding="utf-8").read()
    else:
        text = resources.files("spbe.assistant").joinpath("data/gold.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def evaluate(gold: list[dict]) -> dict:
    live = knowledge.current()
    if live is None:
        raise RuntimeError("the knowledge base is empty: run `spbe assistant_import` and approve the entries")
    keys = [entry.key for entry in live.entries]
    answering.ask("warm-up question about the levy", "en")  # load models outside the measurement
    per_language: dict[str, LanguageResult] = {}
    overall = LanguageResult("all")
    for item in gold:
        result = per_language.setdefault(item["language"], LanguageResult(item["language"]))
        started = time.perf_counter()
        reply = answering.ask(item["question"], None, allow_generation=False)
        elapsed = time.perf_counter() - started
        ranking = live.index.search(answering.redact(item["question"]), reply.language)
        ranked = [keys[int(i)] for i in ranking.order[:10]]
        for bucket in (result, overall):
            _score(bucket, item, reply, ranked, elapsed)
    rows = [per_language[lang].metrics() for lang in sorted(per_language)]
    reliability = _reliability(overall.confidences)
    return {"languages": rows, "overall": overall.metrics(), "targets": TARGETS,
            "threshold": live.index.calibration.threshold, "entries": len(keys), "reliability": reliability,
            "mistakes": [m for lang in sorted(per_language) for m in per_language[lang].mistakes]}


def _score(bucket: LanguageResult, item: dict, reply, ranked: list[str], elapsed: float) -> None:
    bucket.questions += 1
    bucket.latencies.append(elapsed)
    expected = item["expect"]
    if reply.handoff:
        bucket.handed_off += 1
    if expected == HANDOFF:
        if reply.reason in ("answered", "low_confidence"):
            bucket.confidences.append((reply.confidence, False))
        bucket.must_handoff += 1
        if reply.handoff:
            bucket.handoff_true += 1
        else:
            bucket.wrong += 1
            bucket.mistakes.append({"id": item["id"], "question": item["question"], "expected": expected, "got": reply.entry_key})
        return
    bucket.answerable += 1
    rank = ranked.index(expected) + 1 if expected in ranked else None
    if reply.reason in ("answered", "low_confidence"):
        bucket.confidences.append((reply.confidence, rank == 1))
    if rank == 1:
        bucket.hits1 += 1
    if rank and rank <= 3:
        bucket.hits3 += 1
    bucket.reciprocal += 1 / rank if rank else 0.0
    if not reply.handoff and reply.entry_key == expected:
        bucket.answered_right += 1
    elif reply.reason == "low_confidence" and expected in [c["id"] for c in reply.candidates]:
        bucket.suggested_right += 1
    if not reply.handoff and reply.entry_key != expected:
        bucket.wrong += 1
        bucket.mistakes.append({"id": item["id"], "question": item["question"], "expected": expected, "got": reply.entry_key})


RELIABILITY_BINS = (0.0, 0.5, 0.7, 0.8, 0.9, 0.95, 1.0001)


def _reliability(confidences: list[tuple[float, bool]]) -> list[dict]:
    """Per confidence band: how many questions retrieval decided and how often its top entry was right."""
    bands = []
    for low, high in zip(RELIABILITY_BINS, RELIABILITY_BINS[1:]):
        inside = [right for confidence, right in confidences if low <= confidence < high]
        bands.append({"from": low, "to": min(high, 1.0), "count": len(inside),
                      "right": sum(inside) / len(inside) if inside else None})
    return bands


def calibration_report(folds: int = 5) -> dict:
    """Cross-validated decisions on the realistic calibration messages: for each fold, refit the
    confidence model and threshold without it, then answer or hand off each of its messages."""
    live = knowledge.current()
    if live is None:
        raise RuntimeError("the knowledge base is empty: run `spbe assistant_import` and approve the entries")
    index, negatives = live.index, knowledge.calibration_negatives()
    realistic = calibration.realistic_samples(live.entries)
    framed = calibration.framed_samples(index, live.entries, negatives)
    kept = index.calibration
    counts = {"messages": 0, "answerable": 0, "answered_right": 0, "wrong": 0, "handed_off": 0}
    mistakes: list[dict] = []
    try:
        for fold in range(folds):
            held_out = realistic[fold::folds]
            kept_in = [sample for i, sample in enumerate(realistic) if i % folds != fold]
            fitted = index.calibrate(negatives, settings.ASSISTANT_MAX_WRONG_RATE, kept_in + framed)
            vectors = index.embed_known([sample.text for sample in held_out])
            for vector, sample in zip(vectors, held_out):
                ranking = index.rank(vector, textproc.tokens(sample.text, sample.language), query_text=sample.text)
                top = int(ranking.order[0])
                answered = top not in sample.skip_if_top and fitted.probability(ranking.features) >= fitted.threshold
                counts["messages"] += 1
                counts["answerable"] += bool(sample.answers)
                counts["answered_right"] += answered and top in sample.answers
                counts["wrong"] += answered and top not in sample.answers
                counts["handed_off"] += not answered
                if answered and top not in sample.answers:
                    mistakes.append({"message": sample.text, "expected": sorted(live.entries[p].key for p in sample.answers) or HANDOFF,
                                     "got": live.entries[top].key})
    finally:
        index.calibration = kept
    return {**counts, "folds": folds,
            "answered_right_rate": counts["answered_right"] / counts["answerable"] if counts["answerable"] else None,
            "wrong_rate": counts["wrong"] / counts["messages"] if counts["messages"] else None,
            "threshold_in_use": kept.threshold, "threshold_rows": kept.realistic, "mistakes": mistakes}


def meets_targets(report: dict) -> list[str]:
    failures = []
    for row in report["languages"]:
        if row["hit@1"] is not None and row["hit@1"] < TARGETS["hit@1"]:
            failures.append(f"{row['language']}: hit@1 {row['hit@1']:.3f} < {TARGETS['hit@1']}")
        if row["wrong_rate"] is not None and row["wrong_rate"] > TARGETS["wrong_rate"]:
            failures.append(f"{row['language']}: wrong answers {row['wrong_rate']:.3f} > {TARGETS['wrong_rate']}")
    if report["overall"]["p95_ms"] > TARGETS["p95_ms"]:
        failures.append(f"p95 latency {report['overall']['p95_ms']:.0f} ms > {TARGETS['p95_ms']:.0f} ms")
    return failures
