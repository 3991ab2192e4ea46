"""Optional answer phrasing by a language model behind any OpenAI-compatible endpoint
(Ollama ``/v1``, vLLM, llama.cpp ``llama-server``). Off unless ``ASSISTANT_LLM_BASE_URL`` is set.

The model may only rephrase the approved answers it is given, in the tourist's language. Its
reply is used only if it passes checks that need no model: it cites at least one of the given
passages, and every number and every link in it appears in the passages it cites. Otherwise the
curated answer is used as it is.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass

import httpx

from spbe.core import outbound
from django.conf import settings

log = logging.getLogger(__name__)

_NUMBER = re.compile(r"\d+(?:[.,\s]\d{3})*(?:[.,]\d+)?")
_LINK = re.compile(r"(?:https?://)?(?:[a-z0-9-]+\.)+[a-z]{2,}(?:/[^\s)]*)?", re.IGNORECASE)
_HANDOFF_TOKEN = "conversation_handoff"

SYSTEM_PROMPT = (
    "You are the customer-service assistant of Love Bali, the Province of Bali's levy for foreign tourists. "
    "Answer ONLY from the numbered passages. Reply in the language with code '{language}'. "
    "Use at most three sentences. Do not add facts, numbers, prices, dates or links that are not in the passages. "
    f"If the passages do not answer the question, reply with the single word {_HANDOFF_TOKEN}. "
    'Return JSON: {{"answer": "...", "cited": [passage numbers]}}.'
)


@dataclass
class Generated:
    text: str
    cited: list[int]


def enabled() -> bool:
    return bool(getattr(settings, "ASSISTANT_LLM_BASE_URL", ""))


def _numbers(text: str) -> set[str]:
    return {re.sub(r"[.,\s]", "", n) for n in _NUMBER.findall(text)}


def _links(text: str) -> set[str]:
    return {link.lower().rstrip(".,;").removeprefix("https://").removeprefix("http://") for link in _LINK.findall(text)}


def grounded(answer: str, passages: list[str]) -> bool:
    """Every number and link of ``answer`` occurs in ``passages`` (the ones it cites)."""
    source = " ".join(passages)
    return _numbers(answer) <= _numbers(source) and _links(answer) <= _links(source)


def rephrase(question: str, language: str, passages: list[str]) -> Generated | None:
    """A grounded reply, or None (disabled, unreachable, refused, or failed the checks)."""
    if not enabled() or not passages:
        return None
    numbered = "\n".join(f"[{i + 1}] {p}" for i, p in enumerate(passages))
    body = {
        "model": settings.ASSISTANT_LLM_MODEL,
        "temperature": 0,
        "messages": [
            {"role": "system", "content": SYSTEM_PROMPT.format(language=language)},
            {"role": "user", "content": f"Passages:\n{numbered}\n\nQuestion: {question}"},
        ],
        "response_format": {"type": "json_object"},
    }
    headers = {"Authorization": f"Bearer {settings.ASSISTANT_LLM_API_KEY}"} if settings.ASSISTANT_LLM_API_KEY else {}
    try:
        response = outbound.post("llm", settings.ASSISTANT_LLM_BASE_URL.rstrip("/") + "/chat/completions", json=body,
                                 headers=headers, timeout=settings.ASSISTANT_LLM_TIMEOUT)
        response.raise_for_status()
        content = response.json()["choices"][0]["message"]["content"]
        data = json.loads(content)
        text = str(data.get("answer", "")).strip()
        cited = [int(n) for n in data.get("cited", []) if 1 <= int(n) <= len(passages)]
    except (httpx.HTTPError, KeyError, IndexError, TypeError, ValueError) as exc:
        log.warning("assistant generation failed: %s", exc)
        return None
    if not text or _HANDOFF_TOKEN in text or not cited:
        return None
    if not grounded(text, [passages[n - 1] for n in cited]):
        log.info("assistant generation rejected: numbers or links not in the cited passages")
        return None
    return Generated(text, cited)
