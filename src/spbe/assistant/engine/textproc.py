"""Tokenisation for BM25 in eight languages.

* Latin and Cyrillic: words, case-folded, Snowball-stemmed in the text's language.
* Chinese: jieba segmentation (rjieba) in search mode, plus character bigrams so that a word the
  dictionary splits differently still matches.
* Japanese and Korean: character bigrams over each run of CJK/kana/Hangul (what Lucene's CJK
  analyser does); Korean words are kept whole as well, since Korean is space-separated.
"""

from __future__ import annotations

import re
import threading
import unicodedata

import rjieba
import snowballstemmer

_STEMMERS = {"en": "english", "id": "indonesian", "fr": "french", "de": "german", "ru": "russian"}
_local = threading.local()  # Snowball stemmers are not thread-safe

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_CJK_RUN = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7a3]+")
_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")
_HANGUL_RUN = re.compile(r"[\uac00-\ud7a3]+")

# Very common function words; BM25's idf handles the rest.
_STOPWORDS = {
    "en": set("a an the is are am do does i my me we our you your to of in on for and or it be can at by with this that what".split()),
    "id": set("saya apa apakah yang di ke dari dan atau untuk ini itu ada bisa kami anda dengan".split()),
    "fr": set("le la les un une de des du je mon ma mes est et ou en à a au aux pour ce que qui il elle on nous vous".split()),
    "de": set("der die das ein eine ich mein meine ist und oder zu in im am an für es wir sie mit den dem des".split()),
    "ru": set("я мой моя мне и или в на за с по это что как ли у мы вы".split()),
}


def _stemmer(language: str):
    cache = getattr(_local, "stemmers", None)
    if cache is None:
        cache = _local.stemmers = {}
    if language not in cache:
        name = _STEMMERS.get(language)
        cache[language] = snowballstemmer.stemmer(name) if name else None
    return cache[language]


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").casefold()


def _bigrams(run: str) -> list[str]:
    if len(run) == 1:
        return [run]
    return [run[i:i + 2] for i in range(len(run) - 1)]


def tokens(text: str, language: str) -> list[str]:
    text = normalise(text)
    out: list[str] = []
    for run in _HAN_RUN.findall(text) if language == "zh" else ():
        out.extend(w for w in rjieba.cut_for_search(run) if w.strip())
    for run in _CJK_RUN.findall(text):
        out.extend(_bigrams(run))
    for run in _HANGUL_RUN.findall(text):
        if len(run) > 1:
            out.append(run)
    rest = _CJK_RUN.sub(" ", text)
    words = [w for w in _WORD.findall(rest) if w not in _STOPWORDS.get(language, ())]
    stemmer = _stemmer(language)
    if stemmer is None:
        # Unknown Latin-script language: try English stems (most of our visitors' lingua franca).
        stemmer = _stemmer("en")
    out.extend(stemmer.stemWords(words))
    return out
