"""Everything on a page an injection can hide in, from the whole DOM (no main-content
extraction: boilerplate and hidden blocks are exactly where injections sit).

Carriers read: visible and hidden text; links with their anchors (hidden ones with the text
around them); image alts and titles; the head (title, meta description/keywords, Open Graph,
Twitter, JSON-LD); ``link rel=canonical|alternate|amphtml`` and ``og:url``; iframe, frame,
object and embed sources and titles; external script sources; meta refresh; and what inline
scripts write or where they navigate, decoded statically (``jsdecode``). A page whose scripts
write content we could not decode is marked ``needs_render`` for the browser pass.
An element the browser found invisible carries ``data-spbe-hidden`` (see ``render``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser

from . import jsdecode
from .normalize import normalize

_HIDING_STYLE = re.compile(
    r"display\s*:\s*none|visibility\s*:\s*hidden|opacity\s*:\s*0(?:\.0+)?\s*(?:;|$|!)"
    r"|(?:left|top|right|text-indent|margin-left)\s*:\s*-\d{3,}|font-size\s*:\s*0(?:px|em|rem)?\s*(?:;|$|!)"
    r"|(?:height|width|max-height)\s*:\s*[01](?:px)?\s*;[^\"']*overflow\s*:\s*hidden"
    r"|clip\s*:\s*rect\(\s*0|position\s*:\s*absolute[^\"']*(?:left|top)\s*:\s*-\d{3,}"
    r"|color\s*:\s*transparent|transform\s*:\s*scale\(\s*0\s*\)",
    re.IGNORECASE,
)
_CLASS_SELECTOR = re.compile(r"^\s*\.([\w-]+)\s*$")
_ID_SELECTOR = re.compile(r"^\s*#([\w-]+)\s*$")
_JS_REDIRECT = re.compile(
    r"""(?:window\.|document\.|top\.|self\.)?location(?:\.href)?\s*=\s*["'](https?://[^"']+)["']"""
    r"""|location\.(?:replace|assign)\(\s*["'](https?://[^"']+)["']""",
    re.IGNORECASE,
)
_JS_OBFUSCATION = re.compile(r"eval\s*\(\s*(?:atob|unescape|decodeURIComponent)\s*\(|String\.fromCharCode\s*\(|_0x[0-9a-f]{4,}"
                             r"|\\x[0-9a-f]{2}(?:\\x[0-9a-f]{2}){8,}|atob\s*\(", re.IGNORECASE)
_JS_CLOAK = re.compile(r"document\.referrer[^;]{0,80}(?:google|bing|yahoo)|navigator\.userAgent[^;]{0,80}(?:android|iphone|mobile|bot)"
                       r"|document\.cookie[^;]{0,80}(?:indexOf|match|includes)", re.IGNORECASE)
_JS_WRITES = re.compile(r"document\.write|innerHTML|insertAdjacentHTML|outerHTML|\.html\(|\.append\(|location\s*(?:\.href)?\s*=|location\.replace")
_REFRESH_URL = re.compile(r"url\s*=\s*['\"]?([^'\";]+)", re.IGNORECASE)
_HEAD_META = ("description", "keywords", "og:title", "og:description", "og:site_name", "twitter:title",
              "twitter:description", "title", "abstract", "subject")


@dataclass
class Link:
    url: str
    domain: str
    anchor: str
    hidden: bool
    external: bool
    scripted: bool = False  # written by a script
    context: str = ""  # normalised text of the block around a hidden or gambling-looking link


@dataclass
class Carrier:
    """A frame, object, embed, head link or script source: where another document is pulled in
    or the page says it really lives."""

    kind: str  # iframe | frame | object | embed | canonical | alternate | amphtml | og:url | jsonld | script
    url: str
    domain: str
    title: str = ""
    hidden: bool = False


@dataclass
class PageFeatures:
    url: str
    host: str
    title: str = ""
    text: str = ""  # normalised text of the whole page (visible + hidden + attributes + script-written)
    hidden_text: str = ""  # normalised text inside hidden containers
    head_text: str = ""  # title, meta descriptions, Open Graph, JSON-LD names and descriptions
    script_text: str = ""  # normalised text that inline scripts write into the page
    links: list[Link] = field(default_factory=list)
    carriers: list[Carrier] = field(default_factory=list)
    redirects: list[str] = field(default_factory=list)  # meta refresh / JS targets
    scripted_redirects: list[str] = field(default_factory=list)  # decoded from obfuscated scripts
    obfuscated_js: bool = False
    cloaking_js: bool = False
    needs_render: bool = False
    verification_tokens: list[str] = field(default_factory=list)
    size: int = 0
    rendered: bool = False
    blocked_requests: list[str] = field(default_factory=list)  # third-party requests the renderer refused

    @property
    def external_domains(self) -> set[str]:
        return {link.domain for link in self.links if link.external}


def registrable(host: str) -> str:
    """A rough registrable domain: the last three labels for *.go.id/*.ac.id/*.co.id, else two."""
    parts = host.lower().strip(".").split(".")
    if len(parts) >= 3 and parts[-1] in ("id", "uk", "au", "jp", "sg", "my") and len(parts[-2]) <= 3:
        return ".".join(parts[-3:])
    return ".".join(parts[-2:])


# Literal fragments (whitespace removed) that start a hiding declaration; str.find on them is
# far cheaper than running the full regex over a large stylesheet.
_HIDING_LITERALS = ("display:none", "visibility:hidden", "opacity:0", "left:-", "top:-", "right:-",
                    "text-indent:-", "margin-left:-", "font-size:0", "clip:rect(0", "overflow:hidden",
                    "color:transparent", "transform:scale(0")


def _hidden_selectors(tree: LexborHTMLParser) -> tuple[set[str], set[str]]:
    """Classes and ids whose rule in a <style> block hides the element."""
    classes, ids = set(), set()
    for style in tree.css("style"):
        css = (style.text() or "").replace(" ", "").replace("\n", "").replace("\t", "").lower()
        for literal in _HIDING_LITERALS:
            position = css.find(literal)
            while position >= 0:
                open_brace = css.rfind("{", 0, position)
                close_brace = css.rfind("}", 0, position)
                if open_brace > close_brace:
                    end = css.find("}", position)
                    block = css[open_brace + 1 : end if end >= 0 else len(css)]
                    if _HIDING_STYLE.search(block):
                        selectors = css[max(close_brace, css.rfind("*/", 0, open_brace)) + 1 : open_brace]
                        for selector in selectors.split(","):
                            class_match = _CLASS_SELECTOR.match(selector)
                            if class_match:
                                classes.add(class_match.group(1))
                            id_match = _ID_SELECTOR.match(selector)
                            if id_match:
                                ids.add(id_match.group(1))
                position = css.find(literal, position + 1)
    return classes, ids


_HIDING_HINTS = ("none", "hidden", "-", "0", "rect", "transparent")


def _is_hiding(node, hidden_classes: set[str], hidden_ids: set[str]) -> bool:
    attrs = node.attributes
    if "hidden" in attrs or attrs.get("aria-hidden") == "true" or "data-spbe-hidden" in attrs:
        return True
    style = attrs.get("style")
    if style and any(hint in style for hint in _HIDING_HINTS) and _HIDING_STYLE.search(style):
        return True
    if hidden_ids and attrs.get("id") in hidden_ids:
        return True
    classes = attrs.get("class")
    return bool(classes and hidden_classes.intersection(classes.split()))


def _tiny(node) -> bool:
    """A frame or object drawn 0–1 px, or hidden: content nobody is meant to see."""
    attrs = node.attributes
    for key in ("width", "height"):
        value = (attrs.get(key) or "").strip().rstrip("px")
        if value.isdigit() and int(value) <= 1:
            return True
    return False


def _jsonld_strings(data, out: list[str], urls: list[str], depth: int = 0) -> None:
    if depth > 6 or len(out) > 200:
        return
    if isinstance(data, dict):
        for key, value in data.items():
            if key in ("url", "sameAs", "@id", "mainEntityOfPage", "target", "urlTemplate") and isinstance(value, str):
                urls.append(value)
            elif key in ("sameAs",) and isinstance(value, list):
                urls.extend(v for v in value if isinstance(v, str))
            else:
                _jsonld_strings(value, out, urls, depth + 1)
    elif isinstance(data, list):
        for item in data:
            _jsonld_strings(item, out, urls, depth + 1)
    elif isinstance(data, str) and not data.startswith(("http://", "https://")) and len(data) > 2:
        out.append(data)


def _block_text(node, limit: int = 400) -> str:
    """The text of the nearest block around a link (its parent, or grandparent when short)."""
    parent = node.parent
    for _ in range(3):
        if parent is None:
            return ""
        text = parent.text(separator=" ", strip=True)
        if len(text) > 80 or parent.tag in ("body", "main", "article", "section"):
            return normalize(text[:limit])
        parent = parent.parent
    return normalize((parent.text(separator=" ", strip=True) if parent is not None else "")[:limit])


class _Page:
    """One parse of a page, shared by the steps below."""

    def __init__(self, html: str, url: str):
        self.tree = LexborHTMLParser(html)
        self.url = url
        parts = urlsplit(url)
        self.host = (parts.hostname or "").lower()
        self.site = registrable(self.host) if self.host else ""
        self.origin = f"{parts.scheme}://{parts.netloc}"

    def absolute(self, href: str) -> tuple[str, str]:
        href = href.strip()
        if href.startswith("/") and not href.startswith("//"):
            return self.origin + href, self.host  # site-relative: no URL parsing needed
        absolute = urljoin(self.url, href)
        return absolute, (urlsplit(absolute).hostname or "").lower()

    def external(self, domain: str) -> bool:
        return bool(domain) and domain != self.host and registrable(domain) != self.site


def _head(page: _Page, features: PageFeatures, attribute_text: list[str]) -> None:
    tree = page.tree
    title_node = tree.css_first("title")
    raw_title = title_node.text() if title_node else ""
    features.title = normalize(raw_title)
    head_parts = [raw_title]
    for meta in tree.css("meta"):
        attrs = meta.attributes
        name = (attrs.get("name") or attrs.get("property") or attrs.get("itemprop") or "").lower()
        content = attrs.get("content") or ""
        if name == "google-site-verification":
            features.verification_tokens.append(content.strip())
        elif name in _HEAD_META:
            head_parts.append(content)
            attribute_text.append(content)
        elif name == "og:url" and content:
            url, domain = page.absolute(content)
            features.carriers.append(Carrier("og:url", url, domain))
        equiv = (attrs.get("http-equiv") or "").lower()
        if equiv == "refresh":
            match = _REFRESH_URL.search(content)
            if match:
                features.redirects.append(urljoin(page.url, match.group(1).strip()))
    for link in tree.css("link[rel][href]"):
        rels = (link.attributes.get("rel") or "").lower().split()
        kind = next((r for r in ("canonical", "alternate", "amphtml", "shortlink") if r in rels), None)
        if kind:
            url, domain = page.absolute(link.attributes.get("href") or "")
            features.carriers.append(Carrier(kind, url, domain, link.attributes.get("hreflang") or link.attributes.get("title") or ""))
    for script in tree.css('script[type="application/ld+json"]'):
        try:
            data = json.loads(script.text() or "")
        except (ValueError, RecursionError):
            continue
        strings, urls = [], []
        _jsonld_strings(data, strings, urls)
        head_parts.extend(strings)
        for raw in urls:
            url, domain = page.absolute(raw)
            features.carriers.append(Carrier("jsonld", url, domain))
    features.head_text = normalize(" ".join(p for p in head_parts if p))


def _scripts(page: _Page, features: PageFeatures) -> list[str]:
    """Inline script code (for decoding) and external script sources (as carriers)."""
    inline = []
    for script in page.tree.css("script"):
        src = script.attributes.get("src")
        kind = (script.attributes.get("type") or "").lower()
        if src:
            url, domain = page.absolute(src)
            features.carriers.append(Carrier("script", url, domain))
            continue
        if kind and "javascript" not in kind and "module" not in kind:
            continue  # JSON, templates
        code = script.text() or ""
        if not code:
            continue
        inline.append(code)
        # Substring checks first: the regexes are costly on large bundles that lack the words.
        if "location" in code:
            for match in _JS_REDIRECT.finditer(code):
                features.redirects.append(match.group(1) or match.group(2))
        if ("eval" in code or "fromCharCode" in code or "_0x" in code or "atob" in code or "\\x" in code) \
                and _JS_OBFUSCATION.search(code):
            features.obfuscated_js = True
        if ("referrer" in code or "userAgent" in code or "cookie" in code) and _JS_CLOAK.search(code):
            features.cloaking_js = True
    return inline


def _frames(page: _Page, features: PageFeatures, hidden: set[int]) -> None:
    for node in page.tree.css("iframe, frame, object, embed"):
        attrs = node.attributes
        raw = attrs.get("src") or attrs.get("data") or ""
        if not raw or raw.startswith(("about:", "javascript:", "data:")):
            continue
        url, domain = page.absolute(raw)
        is_hidden = node.mem_id in hidden or _tiny(node) or _is_hiding(node, set(), set())
        features.carriers.append(Carrier(node.tag, url, domain, attrs.get("title") or attrs.get("name") or "", is_hidden))


def _decoded_content(page: _Page, features: PageFeatures, inline: list[str], attribute_text: list[str]) -> None:
    """What inline scripts write (parsed as HTML) and where they send the visitor."""
    decoded = jsdecode.decode_scripts(inline)
    for target in decoded.navigations:
        if target.startswith(("http://", "https://", "//", "/")):
            features.scripted_redirects.append(page.absolute(target)[0])
    for target in decoded.sources:
        if target.startswith(("http://", "https://", "//")):
            url, domain = page.absolute(target)
            features.carriers.append(Carrier("script", url, domain))
    # <noscript> content is parsed as text by the HTML parser; injected links hide there too.
    noscript = [node.text() or "" for node in page.tree.css("noscript")]
    written = "\n".join(decoded.written + [s for s in decoded.strings if "<" in s and ">" in s]
                        + [n for n in noscript if "<a" in n])
    if decoded.unresolved and any(_JS_WRITES.search(code) for code in inline):
        features.needs_render = True
    if features.obfuscated_js and not written:
        features.needs_render = True
    if not written:
        return
    fragment = LexborHTMLParser(written)
    root = fragment.body or fragment.root
    text = root.text(separator=" ") if root is not None else written
    classes, ids = _hidden_selectors(fragment)
    hidden_nodes = {n.mem_id for n in fragment.css("[style], [hidden], [class], [id]") if _is_hiding(n, classes, ids)}
    for anchor in fragment.css("a[href]"):
        href = (anchor.attributes.get("href") or "").strip()
        if not href or href.startswith(("#", "mailto:", "tel:", "javascript:")):
            continue
        url, domain = page.absolute(href)
        inside_hidden = any(p.mem_id in hidden_nodes for p in _ancestors(anchor))
        features.links.append(Link(url=url, domain=domain, anchor=normalize(anchor.text(separator=" ")),
                                   hidden=inside_hidden, external=page.external(domain), scripted=True,
                                   context=normalize(text[:400])))
    for image in fragment.css("img[alt]"):
        attribute_text.append(image.attributes.get("alt") or "")
    features.script_text = normalize(" ".join([text] + [s for s in decoded.strings if "<" not in s]))


def _ancestors(node):
    current = node
    while current is not None:
        yield current
        current = current.parent


def extract(html: str, url: str) -> PageFeatures:
    page = _Page(html, url)
    tree = page.tree
    features = PageFeatures(url=url, host=page.host, size=len(html))
    attribute_text: list[str] = []
    _head(page, features, attribute_text)
    inline = _scripts(page, features)

    hidden_classes, hidden_ids = _hidden_selectors(tree)
    selector = "[style], [hidden], [aria-hidden], [data-spbe-hidden]"
    if hidden_classes:
        selector += ", " + ", ".join(f".{name}" for name in sorted(hidden_classes))
    if hidden_ids:
        selector += ", " + ", ".join(f"#{name}" for name in sorted(hidden_ids))
    hidden_nodes = [node for node in tree.css(selector) if _is_hiding(node, hidden_classes, hidden_ids)]
    hidden_ids_mem = {node.mem_id for node in hidden_nodes}
    hidden_parts = [node.text(separator=" ") for node in hidden_nodes]
    hidden_parts += [img.attributes.get("alt") or "" for node in hidden_nodes for img in node.css("img[alt]")]
    hidden_links = {link.mem_id for node in hidden_nodes for link in node.css("a[href]")}
    _frames(page, features, hidden_ids_mem)

    # Banner links carry their text in the alt of an image: find those images once.
    banner_alts: dict[int, list[str]] = {}
    images_by_anchor: dict[int, list[bool]] = {}  # anchor → is each of its images a 1-px pixel?
    for image in tree.css("a img"):
        parent = image.parent
        while parent is not None and parent.tag != "a":
            parent = parent.parent
        if parent is not None:
            banner_alts.setdefault(parent.mem_id, []).append(image.attributes.get("alt") or "")
            images_by_anchor.setdefault(parent.mem_id, []).append(_tiny(image))
    # Browsers that run scripts never show <noscript>; a link there is for crawlers only.
    hidden_links |= {anchor.mem_id for anchor in tree.css("noscript a[href]")}
    from .lexicon import gambling_url_words

    for anchor in tree.css("a[href]"):
        attrs = anchor.attributes
        href = (attrs.get("href") or "").strip()
        if not href or href.startswith(("#", "mailto:", "tel:", "javascript:")):
            continue
        absolute, domain = page.absolute(href)
        external = page.external(domain)
        is_hidden = anchor.mem_id in hidden_links
        pixels = images_by_anchor.get(anchor.mem_id)
        if pixels and all(pixels) and not (anchor.text() or "").strip():
            is_hidden = True  # a link whose only content is a 1-px image
        if not external and not is_hidden and not gambling_url_words(href):
            # Internal menu links are not gambling links; skip their text (most links on a page).
            features.links.append(Link(url=absolute, domain=domain, anchor="", hidden=False, external=False))
            continue
        text = anchor.text(separator=" ").strip()
        title = " ".join([attrs.get("title") or "", *banner_alts.get(anchor.mem_id, ())]).strip()
        if title:
            attribute_text.append(title)
        anchor_text = normalize(f"{text} {title}")
        suspicious = is_hidden or bool(gambling_url_words(absolute))
        features.links.append(Link(url=absolute, domain=domain, anchor=anchor_text, hidden=is_hidden, external=external,
                                   context=_block_text(anchor) if suspicious else ""))
    for image in tree.css("img"):
        attribute_text.append(image.attributes.get("alt") or "")
        attribute_text.append(image.attributes.get("title") or "")

    _decoded_content(page, features, inline, attribute_text)
    for node in tree.css("script, style, template, noscript"):
        node.decompose()
    body = tree.body
    visible = body.text(separator=" ") if body is not None else tree.root.text(separator=" ")
    features.hidden_text = normalize(" ".join(hidden_parts))
    features.text = normalize(" ".join([features.title, visible, " ".join(a for a in attribute_text if a),
                                        features.script_text]))
    return features
