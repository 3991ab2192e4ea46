"""Verdict on one page from its fetch variants: signals, a score and "infected"/"clean".

A finding needs signals that agree ("correlation gating"): gambling *promotion* in the text
(lexicon + classifier) together with a structural sign (hidden block, link farm, redirect,
new outbound domains, sitemap-only or orphan page), or a doorway page, or content that only
some visitors get (cloaking). Some carriers are findings on their own because a government page
has no innocent reason for them: a hidden link whose anchor or address is gambling, a frame or
script pulled from a gambling address, a canonical/alternate/amphtml/og:url pointing to one,
gambling promotion in the title, meta or JSON-LD, or written by an (obfuscated) script.
Content that explains or fights judol (news, campaigns, glossaries, research) is never a
finding by its words alone, hidden or not.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from urllib.parse import urlsplit

from . import classifier, lexicon
from .extract import PageFeatures
from .extract import registrable as extract_registrable
from .normalize import normalize

VARIANTS = ("browser", "googlebot", "googlebot_smartphone", "google_referrer", "mobile_google_referrer")

PROMO_THRESHOLD = 0.5
TEXT_MIN_SCORE = 3.0  # at least one strong term, or two medium ones
DOORWAY_MIN_SCORE = 9.0  # a page that is mostly gambling copy
DOORWAY_CONFIDENT_SCORE = 6.0  # ... or clearly promotional copy with a little less of it
DOORWAY_CONFIDENT_PROMO = 0.8
LINK_FARM_MIN = 3


@dataclass
class Signal:
    name: str
    weight: float
    detail: str
    variant: str = "browser"
    excerpts: list[str] = field(default_factory=list)


@dataclass
class Verdict:
    verdict: str
    score: float
    signals: list[Signal]
    techniques: list[str]

    def as_dict(self) -> dict:
        return {
            "verdict": self.verdict,
            "score": self.score,
            "techniques": self.techniques,
            "signals": [asdict(s) for s in self.signals],
        }


@dataclass
class SiteContext:
    """What the site looked like before (optional; from the last clean scan)."""

    known_outbound_domains: set[str] = field(default_factory=set)
    sitemap_urls: set[str] = field(default_factory=set)
    linked_urls: set[str] = field(default_factory=set)
    verification_tokens: set[str] = field(default_factory=set)
    in_sitemap_only: bool = False
    orphan: bool = False
    new_in_sitemap: bool = False  # listed now, absent from the sitemap of the last clean scan


def _excerpts(text: str, hits: list[lexicon.Hit], limit: int = 3, radius: int = 60) -> list[str]:
    out, seen = [], set()
    for hit in sorted(hits, key=lambda h: -h.weight):
        if hit.term in seen:
            continue
        seen.add(hit.term)
        start = max(0, hit.start - radius)
        out.append(text[start : hit.start + len(hit.term) + radius].strip())
        if len(out) >= limit:
            break
    return out


def _context(text: str, hits: list[lexicon.Hit], radius: int = 70) -> str:
    """The text around the gambling terms, which is what the classifier should judge."""
    spans: list[tuple[int, int]] = []
    for hit in sorted(hits, key=lambda h: h.start):
        start, end = max(0, hit.start - radius), hit.start + len(hit.term) + radius
        if spans and start <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(spans[-1][1], end))
        else:
            spans.append((start, end))
    return " … ".join(text[a:b] for a, b in spans[:12])


@dataclass
class _VariantView:
    variant: str
    features: PageFeatures
    hits: list[lexicon.Hit]
    score: float
    promo: float
    hidden_hits: list[lexicon.Hit]
    hidden_promo: float
    gambling_links: list
    links_promo: float
    external_redirects: list[str]
    redirected_to: str | None
    hidden_gambling_links: list = field(default_factory=list)
    carriers: list = field(default_factory=list)  # (Carrier, why) pointing at gambling
    head_score: float = 0.0
    head_promo: float = 0.0
    script_score: float = 0.0
    script_promo: float = 0.0
    hidden_anti: bool = False
    article_about_judol: bool = False


def gambling_address(url: str) -> bool:
    """A URL whose words or domain look like a gambling site (slug terms, brand+digits domains)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if lexicon.BRAND_DOMAIN.match(host) or lexicon.gambling_url_words(f"{host} {parts.path} {parts.query}"):
        return True
    words = re.sub(r"[^a-z0-9]+", " ", f"{parts.path} {parts.query}".lower())
    return lexicon.score(lexicon.find(words)) >= lexicon.STRONG


def _gambling_anchor(text: str) -> bool:
    return lexicon.score(lexicon.find(text)) >= lexicon.MEDIUM


def _promotion(text: str) -> tuple[float, float]:
    """(lexicon score, promotion probability of the text around the terms) of one carrier."""
    if not text:
        return 0.0, 0.0
    hits = lexicon.find(text)
    score = lexicon.score(hits)
    return score, (classifier.promo_probability(_context(text, hits)) if score >= TEXT_MIN_SCORE else 0.0)


_HEAD_KINDS = ("canonical", "alternate", "amphtml", "og:url", "jsonld", "shortlink")


def _gambling_carriers(features: PageFeatures) -> list[tuple]:
    """Frames, scripts and head links that point at a gambling address on another site."""
    found = []
    for carrier in features.carriers:
        foreign = carrier.domain and carrier.domain != features.host and \
            extract_registrable(carrier.domain) != extract_registrable(features.host)
        if not foreign:
            continue
        if gambling_address(carrier.url):
            found.append((carrier, "gambling address"))
        elif carrier.kind in ("iframe", "frame", "object", "embed") and _gambling_anchor(normalize(carrier.title)):
            found.append((carrier, "gambling title"))
    return found


def _view(variant: str, features: PageFeatures, redirected_to: str | None) -> _VariantView:
    hits = lexicon.find(features.text)
    score = lexicon.score(hits)
    promo = classifier.promo_probability(_context(features.text, hits)) if score >= TEXT_MIN_SCORE else 0.0
    hidden_hits = lexicon.find(features.hidden_text) if features.hidden_text else []
    # Injected blocks are judged on their own text, not diluted by the page around them.
    hidden_promo = (classifier.promo_probability(features.hidden_text)
                    if lexicon.score(hidden_hits) >= TEXT_MIN_SCORE else 0.0)
    gambling_links = [
        link for link in features.links
        if link.external and (_gambling_anchor(link.anchor) or gambling_address(link.url))
    ]
    links_promo = (classifier.promo_probability(" ".join(link.anchor for link in gambling_links))
                   if len(gambling_links) >= LINK_FARM_MIN else 0.0)
    # One hidden (or script-written) link is enough when its words or address are gambling —
    # unless the block around it explains or fights judol.
    hidden_gambling_links = [
        link for link in features.links
        if (link.hidden or link.scripted) and (_gambling_anchor(link.anchor) or gambling_address(link.url))
        and not (link.context and lexicon.anti_judol_context(link.context) and not gambling_address(link.url))
    ]
    site = features.host
    external_redirects = [u for u in features.redirects + features.scripted_redirects
                          if (urlsplit(u).hostname or site).lower() != site]
    head_score, head_promo = _promotion(features.head_text)
    script_score, script_promo = _promotion(features.script_text)
    return _VariantView(variant, features, hits, score, promo, hidden_hits, hidden_promo, gambling_links,
                        links_promo, external_redirects, redirected_to, hidden_gambling_links,
                        _gambling_carriers(features), head_score, head_promo, script_score, script_promo,
                        bool(features.hidden_text) and lexicon.anti_judol_context(features.hidden_text),
                        score >= TEXT_MIN_SCORE and lexicon.anti_judol_strength(features.text) >= lexicon.ANTI_ARTICLE)


def analyze(variants: dict[str, PageFeatures], context: SiteContext | None = None,
            redirects: dict[str, str | None] | None = None) -> Verdict:
    """``variants`` maps a fetch variant name to the page as that visitor got it."""
    context = context or SiteContext()
    redirects = redirects or {}
    views = {name: _view(name, feats, redirects.get(name)) for name, feats in variants.items()}
    base = views.get("browser") or next(iter(views.values()))
    signals: list[Signal] = []
    techniques: set[str] = set()
    families: set[str] = set()

    for view in views.values():
        tag = view.variant
        if view.score >= TEXT_MIN_SCORE and view.promo >= PROMO_THRESHOLD:
            families.add("text")
            signals.append(Signal("gambling_promotion", min(0.6, 0.1 * view.score), (
                f"gambling promotion terms (score {view.score}, promotion probability {view.promo:.2f})"),
                tag, _excerpts(view.features.text, view.hits)))
        elif view.score >= TEXT_MIN_SCORE:
            signals.append(Signal("gambling_mention", 0.0, (
                f"gambling terms in a non-promotional context (probability {view.promo:.2f}); not a finding alone"),
                tag, _excerpts(view.features.text, view.hits, limit=1)))
        if lexicon.score(view.hidden_hits) >= TEXT_MIN_SCORE and not (view.hidden_anti and view.hidden_promo < 0.9):
            families.add("hidden")
            techniques.add("hidden_links")
            if view.hidden_promo >= PROMO_THRESHOLD:
                families.add("hidden_promo")
            signals.append(Signal("hidden_gambling_content", 0.5, (
                f"gambling terms inside hidden elements (promotion probability {view.hidden_promo:.2f})"), tag,
                _excerpts(view.features.hidden_text, view.hidden_hits)))
        if len(view.gambling_links) >= LINK_FARM_MIN:
            families.add("links")
            techniques.add("link_farm")
            if view.links_promo >= PROMO_THRESHOLD:
                families.add("links_promo")
            domains = sorted({link.domain for link in view.gambling_links})
            signals.append(Signal("gambling_link_farm", 0.4, (
                f"{len(view.gambling_links)} outbound gambling links to {len(domains)} domains "
                f"(anchor promotion probability {view.links_promo:.2f})"), tag, domains[:10]))
        if view.hidden_gambling_links:
            families.add("hidden_link")
            scripted = any(link.scripted for link in view.hidden_gambling_links)
            techniques.add("script_injection" if scripted else "hidden_links")
            signals.append(Signal("hidden_gambling_link", 0.6, (
                f"{len(view.hidden_gambling_links)} {'script-written' if scripted else 'hidden'} link(s) with a gambling "
                "anchor or address"), tag, sorted({f"{link.anchor[:60]} → {link.url[:100]}" for link in view.hidden_gambling_links})[:5]))
        for carrier, why in view.carriers:
            families.add("carrier")
            kind = "head_hijack" if carrier.kind in _HEAD_KINDS else "script_source" if carrier.kind == "script" else "frame_injection"
            techniques.add(kind)
            signals.append(Signal(f"gambling_{carrier.kind.replace(':', '_')}", 0.6,
                                  f"{carrier.kind} pointing to another site with a {why}", tag, [carrier.url[:200]]))
        # A title about judol on a page about judol is the article's title, not an injection.
        head_explains = view.article_about_judol or lexicon.anti_judol_context(view.features.head_text)
        if view.head_score >= TEXT_MIN_SCORE and view.head_promo >= PROMO_THRESHOLD and not head_explains:
            families.add("head")
            techniques.add("metadata_injection")
            signals.append(Signal("gambling_in_title_or_metadata", 0.5, (
                f"gambling promotion in the title, meta tags or JSON-LD (score {view.head_score}, probability "
                f"{view.head_promo:.2f})"), tag, [view.features.head_text[:200]]))
        if view.script_score >= TEXT_MIN_SCORE and view.script_promo >= PROMO_THRESHOLD:
            families.add("script")
            techniques.add("script_injection")
            signals.append(Signal("script_written_gambling", 0.6, (
                f"a script writes gambling promotion into the page (score {view.script_score}, probability "
                f"{view.script_promo:.2f})"), tag, [view.features.script_text[:200]]))
        new_domains = view.features.external_domains - context.known_outbound_domains
        if context.known_outbound_domains and len(new_domains) >= LINK_FARM_MIN:
            families.add("baseline")
            signals.append(Signal("new_outbound_domains", 0.2, f"{len(new_domains)} outbound domains not seen before",
                                  tag, sorted(new_domains)[:10]))
        redirect_targets = list(view.external_redirects)
        if view.redirected_to and urlsplit(view.redirected_to).hostname != view.features.host:
            redirect_targets.append(view.redirected_to)
        if redirect_targets:
            gambling_target = any(gambling_address(u) for u in redirect_targets)
            families.add("redirect")
            techniques.add("js_redirect")
            signals.append(Signal("external_redirect", 0.5 if gambling_target else 0.2,
                                  "redirect to another domain" + (" with a gambling address" if gambling_target else ""),
                                  tag, redirect_targets[:3]))
        if view.features.obfuscated_js:
            signals.append(Signal("obfuscated_javascript", 0.1, "eval(atob()), fromCharCode or _0x arrays", tag))
        if view.features.cloaking_js:
            families.add("cloak_js")
            signals.append(Signal("visitor_sniffing_javascript", 0.2, "script branches on referrer or device", tag))
        new_tokens = set(view.features.verification_tokens) - context.verification_tokens
        if context.verification_tokens and new_tokens:
            families.add("baseline")
            signals.append(Signal("new_search_console_owner", 0.3, "unknown google-site-verification token", tag,
                                  sorted(new_tokens)))

    # Cloaking: promotion or a redirect that some visitors get and the plain browser does not.
    for view in views.values():
        if view is base:
            continue
        only_here = {h.term for h in view.hits} - {h.term for h in base.hits}
        extra_score = lexicon.score([h for h in view.hits if h.term in only_here])
        redirect_only_here = (view.external_redirects or view.redirected_to) and not (
            base.external_redirects or base.redirected_to)
        if extra_score >= TEXT_MIN_SCORE or redirect_only_here:
            families.add("cloaking")
            techniques.add("cloaking")
            signals.append(Signal("cloaked_content", 0.7, (
                "content differs by visitor: " + ("gambling terms" if extra_score >= TEXT_MIN_SCORE else "redirect")
                + f" only for {view.variant}"), view.variant, sorted(only_here)[:5]))

    if context.new_in_sitemap and gambling_address(base.features.url):
        families.add("baseline")
        techniques.add("sitemap_injection")
        signals.append(Signal("new_sitemap_entry", 0.3, "gambling-looking URL new in the sitemap since the last clean scan",
                              "browser", [base.features.url]))
    if context.in_sitemap_only or context.orphan:
        families.add("structure")
        techniques.add("orphan_page")
        signals.append(Signal("orphan_page", 0.2, "page not linked from the site" +
                              (" and listed only in the sitemap" if context.in_sitemap_only else "")))

    # Text alone condemns a page only when it is not an article reporting on judol.
    doorway_views = [v for v in views.values() if not v.article_about_judol]
    strongest_text = max((v.score for v in doorway_views if v.promo >= PROMO_THRESHOLD), default=0.0)
    confident_doorway = any(v.score >= DOORWAY_CONFIDENT_SCORE and v.promo >= DOORWAY_CONFIDENT_PROMO for v in doorway_views)
    infected = (
        "cloaking" in families
        # carriers a government page has no innocent use for
        or bool(families & {"hidden_link", "carrier", "head", "script"})
        # lexicon + classifier + a structural sign, within the injected segment itself
        or bool(families & {"hidden_promo", "links_promo"})
        or ("text" in families and families & {"hidden", "links", "redirect", "baseline", "structure", "cloak_js"})
        or ("hidden" in families and families & {"links", "redirect"})
        or ("text" in families and (strongest_text >= DOORWAY_MIN_SCORE or confident_doorway))
        or any(s.name == "external_redirect" and s.weight >= 0.5 for s in signals)
    )
    if infected and "text" in families and (strongest_text >= DOORWAY_MIN_SCORE or confident_doorway) and not techniques:
        techniques.add("doorway_page")
    remaining = 1.0
    for signal in signals:
        remaining *= 1 - signal.weight
    score = round(1 - remaining, 3)
    if not infected:
        score = min(score, 0.49)
        techniques = set()
    return Verdict("infected" if infected else "clean", score, signals, sorted(techniques))
