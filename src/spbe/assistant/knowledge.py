"""The live knowledge base as the engine sees it: which entries may be used today, their
phrasings, cached embeddings, and the calibrated index built from them.

The index is rebuilt in each process whenever the knowledge base changes (any entry saved,
approved, retired) or the day changes (effective dates; also when tourists' "this didn't help"
feedback since the last build enters the calibration), and is shared by all requests.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from importlib import resources

import numpy as np
from django.conf import settings
from django.db.models import Count, Max, Q
from django.utils import timezone

from . import calibration
from .engine import embedding, vector_cache
from .engine.retrieval import Calibration, Index, Phrasing, calibration_digest
from .models import EmbeddingCache, EntryText, KnowledgeEntry, Message



@dataclass(frozen=True)
class IndexedEntry:
    pk: int
    key: str
    kind: str
    status: str
    version: int
    action: str
    source_url: str
    texts: dict  # language -> {"question", "answer"}

    @property
    def usable(self) -> bool:
        return self.status == KnowledgeEntry.Status.APPROVED


@dataclass
class LiveIndex:
    stamp: tuple
    index: Index
    entries: list[IndexedEntry]

    @property
    def by_key(self) -> dict[str, IndexedEntry]:
        return {entry.key: entry for entry in self.entries}


_live: LiveIndex | None = None
_lock = threading.Lock()


def in_force(day: date) -> Q:
    return Q(effective_from__lte=day) & (Q(effective_to__isnull=True) | Q(effective_to__gte=day))


def _stamp(day: date) -> tuple:
    summary = KnowledgeEntry.objects.aggregate(n=Count("id"), last=Max("updated_at"))
    texts = EntryText.objects.aggregate(n=Count("id"))
    return (day, summary["n"], summary["last"], texts["n"])


def current(day: date | None = None) -> LiveIndex | None:
    """The index for ``day`` (today by default), rebuilt if the knowledge base changed."""
    global _live
    day = day or timezone.localdate()
    stamp = _stamp(day)
    live = _live
    if live is not None and live.stamp == stamp:
        return live
    with _lock:
        if _live is not None and _live.stamp == stamp:
            return _live
        built = build(day, stamp)
        _live = built
        return built


def forget() -> None:
    global _live
    _live = None


def build(day: date, stamp: tuple = (), reuse_calibration: bool = True) -> LiveIndex | None:
    # Approved entries in force answer; pending ones are indexed too, but only so that a question
    # they match goes to a person instead of to a neighbouring approved answer.
    rows = (
        KnowledgeEntry.objects.filter(in_force(day), status__in=[KnowledgeEntry.Status.APPROVED, KnowledgeEntry.Status.PENDING])
        .prefetch_related("texts").order_by("key", "-version")
    )
    entries: list[IndexedEntry] = []
    phrasings: list[Phrasing] = []
    chosen: dict[str, KnowledgeEntry] = {}
    for entry in rows:
        # One version per key: the approved one in force; a pending version only while none is.
        current_choice = chosen.get(entry.key)
        if current_choice is None or (current_choice.status == KnowledgeEntry.Status.PENDING
                                      and entry.status == KnowledgeEntry.Status.APPROVED):
            chosen[entry.key] = entry
    for entry in chosen.values():
        texts = {t.language: t for t in entry.texts.all()}
        if not texts:
            continue
        position = len(entries)
        entries.append(IndexedEntry(entry.pk, entry.key, entry.kind, entry.status, entry.version, entry.action, entry.source_url,
                                    {lang: {"question": t.question, "answer": t.answer} for lang, t in texts.items()}))
        for language, text in texts.items():
            phrasings.append(Phrasing(position, language, text.question, "question"))
            phrasings.extend(Phrasing(position, language, p, "paraphrase") for p in text.paraphrases if p.strip())
            if text.keywords.strip():
                phrasings.append(Phrasing(position, language, text.keywords, "keywords"))
            if text.answer.strip():
                phrasings.append(Phrasing(position, language, text.answer, "answer"))
    if len(entries) < 2:
        return None
    index = Index(list(range(len(entries))), phrasings, embeddings([p.text for p in phrasings]),
                  embed_known=embeddings, embed_query=query_vector)
    negatives = calibration_negatives()
    samples = calibration.samples(index, entries, negatives, not_helpful_questions())
    # Fitting takes seconds (thousands of leave-one-out queries); the same inputs give the same
    # model, so a fitted one is kept in the local cache file and a restart only loads it.
    digest = calibration_digest(index, negatives, settings.ASSISTANT_MAX_WRONG_RATE, samples)
    kept = vector_cache.load(settings.ASSISTANT_VECTOR_CACHE, [digest]).get(digest) if reuse_calibration else None
    if kept is not None:
        index.calibration = Calibration.from_json(bytes(kept).decode())
    else:
        index.calibrate(negatives, max_wrong_rate=settings.ASSISTANT_MAX_WRONG_RATE, samples=samples)
        vector_cache.store(settings.ASSISTANT_VECTOR_CACHE, {digest: index.calibration.to_json().encode()})
    return LiveIndex(stamp, index, entries)


# Vectors already seen by this process (phrasings and asked questions), shared across rebuilds.
_MEMORY: dict[str, bytes] = {}
_MEMORY_LIMIT = 50_000


def embeddings(texts: list[str]) -> np.ndarray:
    """Unit vectors for ``texts``, from this process's memory or the cache table where possible."""
    digests = [embedding.digest(t) for t in texts]
    cached = {d: _MEMORY[d] for d in digests if d in _MEMORY}
    local_file = settings.ASSISTANT_VECTOR_CACHE
    wanted = sorted(set(digests) - set(cached))
    if wanted:
        cached.update(vector_cache.load(local_file, wanted))
    wanted = [d for d in wanted if d not in cached]
    if wanted:
        from_table = {row.digest: bytes(row.vector) for row in EmbeddingCache.objects.filter(digest__in=wanted)}
        cached.update(from_table)
        vector_cache.store(local_file, from_table)
    missing = sorted({t for t, d in zip(texts, digests) if d not in cached})
    if missing:
        vectors = embedding.embed(missing)
        new_rows = [EmbeddingCache(digest=embedding.digest(t), vector=v.astype(np.float32).tobytes()) for t, v in zip(missing, vectors)]
        EmbeddingCache.objects.bulk_create(new_rows, ignore_conflicts=True)
        computed = {row.digest: bytes(row.vector) for row in new_rows}
        cached.update(computed)
        vector_cache.store(local_file, computed)
    if len(_MEMORY) < _MEMORY_LIMIT:
        _MEMORY.update(cached)
    return np.vstack([np.frombuffer(cached[d], dtype=np.float32) for d in digests]) if texts else np.zeros((0, embedding.DIMENSIONS))


_QUERIES: OrderedDict[str, np.ndarray] = OrderedDict()
_QUERIES_LIMIT = 2048
_queries_lock = threading.Lock()


def query_vector(text: str) -> np.ndarray:
    """The vector of a question someone asked: kept in this process's memory only (a tourist's
    words are not stored for good), recent ones first, since the same question comes often."""
    digest = embedding.digest(text)
    known = _MEMORY.get(digest)
    if known is not None:
        return np.frombuffer(known, dtype=np.float32)
    vector = _QUERIES.get(digest)
    if vector is None:
        vector = embedding.embed([text])[0]
        with _queries_lock:
            _QUERIES[digest] = vector
            while len(_QUERIES) > _QUERIES_LIMIT:
                _QUERIES.popitem(last=False)
    else:
        with _queries_lock:
            if digest in _QUERIES:
                _QUERIES.move_to_end(digest)
    return vector


@lru_cache(maxsize=1)
def calibration_negatives() -> list[tuple[str, str]]:
    """Out-of-scope questions (not from the gold set) that the assistant must not answer."""
    from .engine import language

    text = resources.files("spbe.assistant").joinpath("data/calibration_negatives.txt").read_text(encoding="utf-8")
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]
    return [(line, language.detect(line)[0]) for line in lines]


def not_helpful_questions(limit: int = 200, days: int = 90) -> list[tuple[str, str, str]]:
    """(redacted question, language, entry key) for recent answers tourists marked as not
    helpful, one per conversation: the tourist's message just before the answer."""
    from .answering import MAX_QUESTION_LENGTH, redact  # answering imports this module

    since = timezone.now() - timedelta(days=days)
    rows = (Message.objects.filter(helpful=False, sender=Message.Sender.BOT, created_at__gte=since)
            .order_by("conversation_id", "-created_at").values_list("conversation_id", "created_at", "sources", "language"))
    result, seen = [], set()
    for conversation_id, created_at, sources, language in rows:
        if conversation_id in seen or not sources:
            continue
        seen.add(conversation_id)
        asked = (Message.objects.filter(conversation_id=conversation_id, sender=Message.Sender.VISITOR, created_at__lte=created_at)
                 .order_by("-created_at", "-id").values_list("body", flat=True).first())
        if asked:
            result.append((redact(asked)[:MAX_QUESTION_LENGTH], language, sources[0]["id"]))
        if len(result) >= limit:
            break
    return result
