"""Static decoding of the script tricks injections use, without running any JavaScript.

Injected gambling content is often not in the HTML at all but written by a script:
``document.write(atob("PGEg..."))``, ``el.innerHTML = String.fromCharCode(60, 97, …)``,
``"…>a/<".split("").reverse().join("")``, ``location.href = "ht" + "tps://" + host`` — or hidden in
``\\x`` / ``\\u`` escapes. This module evaluates the small string language those tricks are made
of (literals with every escape, ``+``, variables assigned earlier, ``atob``, ``unescape``,
``decodeURIComponent``, ``String.fromCharCode`` (also ``.apply`` and ``[..].map(…fromCharCode…)``),
``split``/``reverse``/``join``/``replace``/``slice``/``concat``/case changes, array literals) at the
places content is written or navigation happens, and follows ``eval``/``Function``/``setTimeout``
strings a few levels deep. What it cannot evaluate it reports as an unresolved sink, so the
caller can render the page in a real browser instead.
"""

from __future__ import annotations

import base64
import binascii
import re
from itertools import islice
from dataclasses import dataclass, field
from urllib.parse import unquote

MAX_SCRIPT = 300_000  # characters of one script we look at
MAX_OUTPUT = 500_000  # characters of decoded output per page
MAX_DEPTH = 3  # eval("…eval(…)…") levels followed

_CONTENT_SINKS = re.compile(
    r"document\s*\.\s*write(?:ln)?\s*\(|\.\s*(?:inner|outer)HTML\s*\+?=(?!=)|\.\s*insertAdjacentHTML\s*\(\s*(?:'[^']*'|\"[^\"]*\")\s*,"
    r"|\.\s*(?:html|append|prepend|after|before|replaceWith)\s*\(|\.\s*innerText\s*=(?!=)|\.\s*textContent\s*=(?!=)")
_NAV_SINKS = re.compile(
    r"(?:window\s*\.\s*|document\s*\.\s*|top\s*\.\s*|self\s*\.\s*|parent\s*\.\s*)?location(?:\s*\.\s*href)?\s*=(?!=)"
    r"|location\s*\.\s*(?:replace|assign)\s*\(|window\s*\.\s*open\s*\(")
_CODE_SINKS = re.compile(r"\beval\s*\(|\bnew\s+Function\s*\(|\bFunction\s*\(|\bset(?:Timeout|Interval)\s*\(")
_SRC_SINKS = re.compile(r"\.\s*src\s*=(?!=)|\.\s*setAttribute\s*\(\s*['\"](?:src|href)['\"]\s*,")
_SINK_WORDS = ("write", "HTML", "location", "eval", "Function", "Timeout", "Interval", "src", "setAttribute", ".html",
               "append", "prepend", "after", "before", "replaceWith", "innerText", "textContent", "open")
_ASSIGNMENT = re.compile(r"(?:^|[;{}\n\r,(])\s*(?:var|let|const)?\s*([A-Za-z_$][\w$]*)\s*=(?![=>])")


@dataclass
class Decoded:
    written: list[str] = field(default_factory=list)  # HTML/text a script writes into the page
    navigations: list[str] = field(default_factory=list)  # URLs a script sends the visitor to
    sources: list[str] = field(default_factory=list)  # src/href a script sets (script, iframe, link)
    strings: list[str] = field(default_factory=list)  # other decoded strings (atob, fromCharCode, …)
    unresolved: int = 0  # sinks whose argument could not be evaluated statically
    sinks: int = 0

    def extend(self, other: Decoded) -> None:
        self.written += other.written
        self.navigations += other.navigations
        self.sources += other.sources
        self.strings += other.strings
        self.unresolved += other.unresolved
        self.sinks += other.sinks


# --- tokens ------------------------------------------------------------------------------------

_ESCAPE = re.compile(r"\\(u\{[0-9a-fA-F]+\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|[0-7]{1,3}|\r\n|.)", re.S)
_SIMPLE = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}


def unescape_js(body: str) -> str:
    def replace(match: re.Match) -> str:
        code = match.group(1)
        if code.startswith("u{"):
            return chr(int(code[2:-1], 16))
        if code[0] == "u" and len(code) == 5:
            return chr(int(code[1:], 16))
        if code[0] == "x" and len(code) == 3:
            return chr(int(code[1:], 16))
        if code.isdigit() and code != "0":
            return chr(int(code, 8))
        if code in ("\n", "\r\n"):
            return ""  # line continuation
        return _SIMPLE.get(code, code)

    return _ESCAPE.sub(replace, body) if "\\" in body else body


_TOKEN = re.compile(r"""
    (?P<ws>\s+|//[^\n]*|/\*.*?\*/)
  | (?P<str>'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|`(?:[^`\\$]|\\.|\$(?!\{))*`)
  | (?P<num>0[xX][0-9a-fA-F]+|\d+(?:\.\d+)?)
  | (?P<id>[A-Za-z_$][\w$]*)
  | (?P<arrow>=>)
  | (?P<punct>[()\[\]{},.;+:?=!<>&|*%^~-]|/)
""", re.S | re.X)
_REGEX = re.compile(r"/((?:[^/\\\n\[]|\\.|\[(?:[^\]\\]|\\.)*\])+)/([gimsuy]*)")
_REGEX_ALLOWED_AFTER = set("(,=:[!&|?{};+")


def iter_tokens(code: str, start: int = 0):
    """Tokens from ``start`` on: ('str', value), ('num', float), ('id', name),
    ('regex', (source, flags)), ('p', char)."""
    position = start
    previous = None
    while position < len(code):
        if code[position] == "/" and (previous is None or (previous[0] == "p" and previous[1] in _REGEX_ALLOWED_AFTER)):
            regex = _REGEX.match(code, position)
            if regex:
                previous = ("regex", (regex.group(1), regex.group(2)))
                yield previous
                position = regex.end()
                continue
        match = _TOKEN.match(code, position)
        if match is None:
            position += 1
            continue
        position = match.end()
        kind = match.lastgroup
        text = match.group(0)
        if kind == "ws":
            continue
        if kind == "str":
            previous = ("str", unescape_js(text[1:-1]))
        elif kind == "num":
            previous = ("num", float(int(text, 16)) if text[:2].lower() == "0x" else float(text))
        elif kind == "id":
            previous = ("id", text)
        elif kind == "arrow":
            previous = ("p", "=>")
        else:
            previous = ("p", text)
        yield previous


class TokenStream:
    """Tokens read only as far as the parser looks: evaluating ``a = 1;`` in a 100 KB script
    must not tokenize the rest of it."""

    def __init__(self, code: str, start: int = 0, limit: int = 4000):
        self._source = islice(iter_tokens(code, start), limit)
        self._read: list = []
        self._done = False

    def at(self, index: int):
        while not self._done and index >= len(self._read):
            token = next(self._source, None)
            if token is None:
                self._done = True
            else:
                self._read.append(token)
        return self._read[index] if index < len(self._read) else ("end", None)


# --- evaluation --------------------------------------------------------------------------------

class _Unknown(Exception):
    pass


class _Null:
    """null / undefined / this: fine as an ignored argument (``fromCharCode.apply(null, …)``)."""


NULL = _Null()


def _atob(value: str) -> str:
    cleaned = re.sub(r"\s+", "", value)
    try:
        raw = base64.b64decode(cleaned + "=" * (-len(cleaned) % 4), validate=False)
    except (binascii.Error, ValueError) as exc:
        raise _Unknown from exc
    return raw.decode("latin-1")


def _utf8_fix(value: str) -> str:
    """atob yields bytes as Latin-1 characters; injected UTF-8 text reads right after this."""
    try:
        return value.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return value


def _unescape(value: str) -> str:
    value = re.sub(r"%u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), value)
    return unquote(value, errors="replace")


def _text(value) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, float):
        return str(int(value)) if value == int(value) else str(value)
    if isinstance(value, list):
        return ",".join(_text(v) for v in value)
    raise _Unknown


def _char(value) -> str:
    if not isinstance(value, float) or not 0 <= value <= 0x10FFFF:
        raise _Unknown
    return chr(int(value))


class _Parser:
    """Evaluates one expression from a token list; raises _Unknown for anything it cannot."""

    def __init__(self, tokens, env: dict, budget: int = 20000):
        self.tokens, self.position, self.env, self.budget = tokens, 0, env, budget

    def peek(self, offset: int = 0):
        return self.tokens.at(self.position + offset)

    def take(self):
        token = self.peek()
        self.position += 1
        self.budget -= 1
        if self.budget < 0:
            raise _Unknown
        return token

    def expect(self, char: str) -> None:
        if self.take() != ("p", char):
            raise _Unknown

    def expression(self):
        value = self.term()
        while self.peek() == ("p", "+"):
            self.take()
            right = self.term()
            if isinstance(value, float) and isinstance(right, float):
                value = value + right
            else:
                value = _text(value) + _text(right)
        if self.peek() == ("p", "?"):
            raise _Unknown  # a condition decides: leave it to the browser
        return value

    def term(self):
        value = self.primary()
        while True:
            token = self.peek()
            if token == ("p", "."):
                self.take()
                kind, name = self.take()
                if kind != "id":
                    raise _Unknown
                value = self.method(value, name)
            elif token == ("p", "["):
                self.take()
                index = self.expression()
                self.expect("]")
                if isinstance(value, (list, str)) and isinstance(index, float) and 0 <= index < len(value):
                    value = value[int(index)]
                elif isinstance(value, (list, str)) and index == "length":
                    value = float(len(value))
                else:
                    raise _Unknown
            else:
                return value

    def arguments(self) -> list:
        self.expect("(")
        return self._list_until(")")

    def _list_until(self, closing: str) -> list:
        """Comma-separated expressions up to ``closing`` (the opening bracket already taken)."""
        values = []
        while self.peek() != ("p", closing):
            values.append(self.expression())
            if self.peek() == ("p", ","):
                self.take()
            elif self.peek() != ("p", closing):
                raise _Unknown
        self.take()
        return values

    def _skip_callback(self) -> str:
        """The source of a callback argument, skipped: (c) => …, function (c) { … }."""
        depth, words = 0, []
        while True:
            kind, value = self.take()
            if kind == "end":
                raise _Unknown
            if (kind, value) in (("p", "("), ("p", "{"), ("p", "[")):
                depth += 1
            elif (kind, value) in (("p", ")"), ("p", "}"), ("p", "]")):
                if depth == 0:
                    self.position -= 1
                    return " ".join(str(w) for w in words)
                depth -= 1
            elif (kind, value) == ("p", ",") and depth == 0:
                self.position -= 1
                return " ".join(str(w) for w in words)
            words.append(value)

    def method(self, value, name: str):
        if name == "length" and self.peek() != ("p", "("):
            if isinstance(value, (str, list)):
                return float(len(value))
            raise _Unknown
        if name == "map" and isinstance(value, list):
            self.expect("(")
            callback = self._skip_callback()
            self.expect(")")
            if "fromCharCode" in callback:
                return [_char(v) for v in value]
            raise _Unknown
        args = self.arguments()
        if isinstance(value, str):
            if name == "split" and args and isinstance(args[0], str):
                return list(value) if args[0] == "" else value.split(args[0])
            if name in ("toLowerCase", "toLocaleLowerCase"):
                return value.lower()
            if name in ("toUpperCase", "toLocaleUpperCase"):
                return value.upper()
            if name == "trim":
                return value.strip()
            if name == "concat":
                return value + "".join(_text(a) for a in args)
            if name in ("slice", "substring", "substr") and args and isinstance(args[0], float):
                start = int(args[0])
                if name == "substr":
                    length = int(args[1]) if len(args) > 1 else len(value)
                    return value[start:start + length]
                end = int(args[1]) if len(args) > 1 and isinstance(args[1], float) else None
                return value[start:end]
            if name in ("replace", "replaceAll") and len(args) == 2 and isinstance(args[1], str):
                pattern = args[0]
                if isinstance(pattern, tuple):  # a regex literal
                    source, flags = pattern
                    try:
                        regex = re.compile(source, re.I if "i" in flags else 0)
                    except re.error as exc:
                        raise _Unknown from exc
                    return regex.sub(args[1].replace("\\", "\\\\"), value, count=0 if "g" in flags else 1)
                if isinstance(pattern, str):
                    return value.replace(pattern, args[1]) if name == "replaceAll" else value.replace(pattern, args[1], 1)
            if name == "charAt" and args and isinstance(args[0], float):
                return value[int(args[0])] if 0 <= args[0] < len(value) else ""
            if name == "toString":
                return value
        if isinstance(value, list):
            if name == "join":
                separator = args[0] if args and isinstance(args[0], str) else ","
                return separator.join(_text(v) for v in value)
            if name == "reverse":
                return list(reversed(value))
            if name == "concat":
                return value + [item for a in args for item in (a if isinstance(a, list) else [a])]
            if name == "slice" and args and isinstance(args[0], float):
                return value[int(args[0]): int(args[1]) if len(args) > 1 else None]
        if value == "__String__" and name == "fromCharCode":
            return "".join(_char(a) for a in args)
        if value == "__fromCharCode__" and name == "apply" and len(args) == 2 and isinstance(args[1], list):
            return "".join(_char(a) for a in args[1])
        raise _Unknown

    def primary(self):
        kind, value = self.take()
        if kind == "str":
            return value
        if kind == "num":
            return value
        if kind == "regex":
            return value
        if (kind, value) == ("p", "("):
            inner = self.expression()
            self.expect(")")
            return inner
        if (kind, value) == ("p", "["):
            return self._list_until("]")
        if (kind, value) == ("p", "-") and self.peek()[0] == "num":
            return -self.take()[1]
        if kind == "id":
            return self.identifier(value)
        raise _Unknown

    def identifier(self, name: str):
        if name in ("null", "undefined", "this"):
            return NULL
        # window.atob / self.unescape / String.fromCharCode / String.fromCharCode.apply
        while name in ("window", "self", "globalThis", "top") and self.peek() == ("p", "."):
            self.take()
            kind, name = self.take()
            if kind != "id":
                raise _Unknown
        if name == "String" and self.peek() == ("p", "."):
            if self.peek(1) == ("id", "fromCharCode"):
                self.take()
                self.take()
                if self.peek() == ("p", "."):
                    return "__fromCharCode__"
                return "".join(_char(a) for a in self.arguments())
            return "__String__"
        if name in ("atob", "unescape", "decodeURIComponent", "decodeURI", "escape") and self.peek() == ("p", "("):
            args = self.arguments()
            if not args or not isinstance(args[0], str):
                raise _Unknown
            if name == "atob":
                return _utf8_fix(_atob(args[0]))
            if name == "escape":
                raise _Unknown
            return _unescape(args[0])
        if name in self.env:
            return self.env[name]
        raise _Unknown


def evaluate(tokens, env: dict | None = None):
    """The value of the expression at the start of ``tokens`` (a TokenStream): str, float or list, or None."""
    try:
        return _Parser(tokens, env or {}).expression()
    except (_Unknown, IndexError, ValueError, OverflowError, RecursionError):
        return None


# --- whole scripts -----------------------------------------------------------------------------

def _assignments(code: str) -> dict:
    """Variables assigned a value we can evaluate, in order (later ones see earlier ones)."""
    env: dict = {}
    for match in _ASSIGNMENT.finditer(code):
        value = evaluate(TokenStream(code, match.end(), limit=3000), env)
        if isinstance(value, (str, list, float)):
            env[match.group(1)] = value
    return env


def _argument(code: str, end: int, env: dict):
    """Evaluate the expression starting right after a sink (a call's first argument or an
    assignment's right-hand side)."""
    return evaluate(TokenStream(code, end, limit=4000), env)


def decode_script(code: str, depth: int = 0) -> Decoded:
    code = code[:MAX_SCRIPT]
    result = Decoded()
    # Substring tests first (C speed): most scripts on a page (analytics, sliders) have no sink.
    has_sinks = any(word in code for word in _SINK_WORDS) and bool(
        _CONTENT_SINKS.search(code) or _NAV_SINKS.search(code) or _CODE_SINKS.search(code) or _SRC_SINKS.search(code))
    tricks = any(word in code for word in ("atob", "fromCharCode", "unescape", "decodeURI", "\\x", "\\u", "reverse()"))
    if not has_sinks and not tricks:
        return result
    env = _assignments(code)
    budget = MAX_OUTPUT
    for regex, bucket in ((_CONTENT_SINKS, result.written), (_NAV_SINKS, result.navigations), (_SRC_SINKS, result.sources)):
        for match in regex.finditer(code):
            result.sinks += 1
            value = _argument(code, match.end(), env)
            if isinstance(value, list):
                value = ",".join(_text(v) for v in value if not isinstance(v, tuple))
            if isinstance(value, str) and value:
                bucket.append(value[:budget])
                budget -= len(value)
            else:
                result.unresolved += 1
    for match in _CODE_SINKS.finditer(code):
        result.sinks += 1
        value = _argument(code, match.end(), env)
        if isinstance(value, str) and value and depth < MAX_DEPTH:
            result.extend(decode_script(value, depth + 1))
        elif not (isinstance(value, str) and value):
            # setTimeout(function…) and eval(variable we could not follow) alike
            if match.group(0).lstrip().startswith(("eval", "new", "Function")):
                result.unresolved += 1
    if tricks:
        for name, value in env.items():
            if isinstance(value, str) and len(value) >= 8 and not name.startswith("_") and budget > 0:
                result.strings.append(value[:budget])
                budget -= len(value)
        for match in re.finditer(r"(?:atob|unescape|decodeURIComponent|fromCharCode)\s*\(", code):
            start = code.rfind("String", max(0, match.start() - 12), match.start())
            value = _argument(code, start if start >= 0 else match.start(), env)
            already = value in result.written or value in result.navigations or value in result.sources
            if isinstance(value, str) and len(value) >= 4 and budget > 0 and not already:
                result.strings.append(value[:budget])
                budget -= len(value)
    return result


def decode_scripts(scripts: list[str]) -> Decoded:
    total = Decoded()
    for code in scripts:
        total.extend(decode_script(code))
    return total
