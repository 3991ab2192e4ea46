"""Everything on a page an injection can hide in, from the whole DOM (no main-content
extraction: boilerplate and hidden blocks are exactly where injections sit).

Returns the visible and hidden text, attribute text (alt, title, meta), outbound links with
their anchors, redirects (meta refresh, JavaScript) and search-console verification tokens.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser

from .normalize import normalize

_HIDING_STYLE = re.compile(
    r"display\s*:\s*none|visibility\s*:\s*hidden|opacity\s*:\s*0(?:\.0+)?\s*(?:;|$|!)"
    r"|(?:left|top|right|text-indent|margin-left)\s*:\s*-\d{3,}|font-size\s*:\s*0(?:px|em|rem)?\s*(?:;|$|!)"
    r"|(?:height|width|max-height)\s*:\s*[01](?:px)?\s*;[^\"']*overflow\s*:\s*hidden"
    r"|clip\s*:\s*rect\(\s*0|position\s*:\s*absolute[^\"']*(?:left|top)\s*:\s*-\d{3,}",
    re.IGNORECASE,
)
_CSS_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
_CLASS_SELECTOR = re.compile(r"^\s*\.([\w-]+)\s*$")
_JS_REDIRECT = re.compile(
    r"""(?:window\.|document\.|top\.|self\.)?location(?:\.href)?\s*=\s*["'](https?://[^"']+)["']"""
    r"""|location\.(?:replace|assign)\(\s*["'](https?://[^"']+)["']""",
    re.IGNORECASE,
)
_JS_OBFUSCATION = re.compile(r"eval\s*\(\s*(?:atob|unescape|decodeURIComponent)\s*\(|String\.fromCharCode\s*\(|_0x[0-9a-f]{4,}",
                             re.IGNORECASE)
_JS_CLOAK = re.compile(r"document\.referrer[^;]{0,80}(?:google|bing|yahoo)|navigator\.userAgent[^;]{0,80}(?:android|iphone|mobile|bot)",
                       re.IGNORECASE)
_REFRESH_URL = re.compile(r"url\s*=\s*['\"]?([^'\";]+)", re.IGNORECASE)


@dataclass
class Link:
    url: str
    domain: str
    anchor: str
    hidden: bool
    external: bool


@dataclass
class PageFeatures:
    url: str
    host: str
    title: str = ""
    text: str = ""  # normalised text of the whole page (visible + hidden + attributes)
    hidden_text: str = ""  # normalised text inside hidden containers
    links: list[Link] = field(default_factory=list)
    redirects: list[str] = field(default_factory=list)  # meta refresh / JS targets
    obfuscated_js: bool = False
    cloaking_js: bool = False
    verification_tokens: list[str] = field(default_factory=list)
    size: int = 0

    @property
    def external_domains(self) -> set[str]:
        return {link.domain for link in self.links if link.external}


def registrable(host: str) -> str:
    """A rough registrable domain: the last three labels for *.go.id/*.ac.id/*.co.id, else two."""
    parts = host.lower().strip(".").split(".")
    if len(parts) >= 3 and parts[-1] in ("id", "uk", "au", "jp") and len(parts[-2]) <= 3:
        return ".".join(parts[-3:])
    return ".".join(parts[-2:])


# Literal fragments (whitespace removed) that start a hiding declaration; str.find on them is
# far cheaper than running the full regex over a large stylesheet.
_HIDING_LITERALS = ("display:none", "visibility:hidden", "opacity:0", "left:-", "top:-", "right:-",
                    "text-indent:-", "margin-left:-", "font-size:0", "clip:rect(0", "overflow:hidden")


def _hidden_classes(tree: LexborHTMLParser) -> set[str]:
    """Classes whose rule in a <style> block hides the element."""
    classes = set()
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
                position = css.find(literal, position + 1)
    return classes


_HIDING_HINTS = ("none", "hidden", "-", "0", "rect")


def _is_hiding(node, hidden_classes: set[str]) -> bool:
    attrs = node.attributes
    if "hidden" in attrs or attrs.get("aria-hidden") == "true":
        return True
    style = attrs.get("style")
    if style and any(hint in style for hint in _HIDING_HINTS) and _HIDING_STYLE.search(style):
        return True
    classes = attrs.get("class")
    return bool(classes and hidden_classes.intersection(classes.split()))


def extract(html: str, url: str) -> PageFeatures:
    host = (urlsplit(url).hostname or "").lower()
    features = PageFeatures(url=url, host=host, size=len(html))
    tree = LexborHTMLParser(html)
    title_node = tree.css_first("title")
    features.title = normalize(title_node.text()) if title_node else ""

    for meta in tree.css("meta"):
        name = (meta.attributes.get("name") or meta.attributes.get("property") or "").lower()
        content = meta.attributes.get("content") or ""
        if name == "google-site-verification":
            features.verification_tokens.append(content.strip())
        equiv = (meta.attributes.get("http-equiv") or "").lower()
        if equiv == "refresh":
            match = _REFRESH_URL.search(content)
            if match:
                features.redirects.append(urljoin(url, match.group(1).strip()))

    for script in tree.css("script"):
        code = script.text() or ""
        if not code:
            continue
        # Substring checks first: the regexes are costly on large bundles that lack the words.
        if "location" in code:
            for match in _JS_REDIRECT.finditer(code):
                features.redirects.append(match.group(1) or match.group(2))
        if ("eval" in code or "fromCharCode" in code or "_0x" in code) and _JS_OBFUSCATION.search(code):
            features.obfuscated_js = True
        if ("referrer" in code or "userAgent" in code) and _JS_CLOAK.search(code):
            features.cloaking_js = True

    hidden_classes = _hidden_classes(tree)
    selector = "[style], [hidden], [aria-hidden]"
    if hidden_classes:
        selector += ", " + ", ".join(f".{name}" for name in sorted(hidden_classes))
    hidden_nodes = [node for node in tree.css(selector) if _is_hiding(node, hidden_classes)]
    hidden_parts = [node.text(separator=" ") for node in hidden_nodes]
    hidden_parts += [img.attributes.get("alt") or "" for node in hidden_nodes for img in node.css("img[alt]")]
    hidden_links = {
        ((link.attributes.get("href") or "").strip(), link.text()) for node in hidden_nodes for link in node.css("a[href]")
    }

    site = registrable(host) if host else ""
    parts = urlsplit(url)
    origin = f"{parts.scheme}://{parts.netloc}"
    attribute_text = []
    # Banner links carry their text in the alt of an image: find those images once.
    banner_alts: dict[int, list[str]] = {}
    for image in tree.css("a img[alt]"):
        parent = image.parent
        while parent is not None and parent.tag != "a":
            parent = parent.parent
        if parent is not None:
            banner_alts.setdefault(parent.mem_id, []).append(image.attributes.get("alt") or "")
    for anchor in tree.css("a[href]"):
        attrs = anchor.attributes
        href = (attrs.get("href") or "").strip()
        if not href or href.startswith(("#", "mailto:", "tel:", "javascript:")):
            continue
        if href.startswith("/") and not href.startswith("//"):
            absolute, domain = origin + href, host  # site-relative: no URL parsing needed
        else:
            absolute = urljoin(url, href)
            domain = (urlsplit(absolute).hostname or "").lower()
        external = bool(domain) and domain != host and registrable(domain) != site
        if not external and not hidden_links:
            # Internal menu links cannot be gambling links; skip their text (most links on a page).
            features.links.append(Link(url=absolute, domain=domain, anchor="", hidden=False, external=False))
            continue
        text = anchor.text(separator=" ").strip()
        title = " ".join([attrs.get("title") or "", *banner_alts.get(anchor.mem_id, ())]).strip()
        if title:
            attribute_text.append(title)
        features.links.append(
            Link(
                url=absolute,
                domain=domain,
                anchor=normalize(f"{text} {title}") if external else "",
                hidden=(href, anchor.text()) in hidden_links,
                external=external,
            )
        )
    for image in tree.css("img"):
        attribute_text.append(image.attributes.get("alt") or "")
        attribute_text.append(image.attributes.get("title") or "")
    for meta in tree.css("meta[content]"):
        name = (meta.attributes.get("name") or meta.attributes.get("property") or "").lower()
        if name in ("description", "keywords", "og:title", "og:description", "twitter:title", "twitter:description"):
            attribute_text.append(meta.attributes.get("content") or "")

    for node in tree.css("script, style, template"):
        node.decompose()
    body = tree.body
    visible = body.text(separator=" ") if body is not None else tree.root.text(separator=" ")
    features.hidden_text = normalize(" ".join(hidden_parts))
    features.text = normalize(" ".join([features.title, visible, " ".join(a for a in attribute_text if a)]))
    return features
