"""Vulnerability types for the report form: our own short list in the spirit of common bug-bounty
taxonomies, each with its CWE and a default priority (P1 most severe). Data, not code: extend
here, never in templates."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class VulnType:
    code: str
    name: str
    cwe: int
    priority: int  # 1..5, used when no CVSS vector is given


TYPES = [
    VulnType("sqli", "SQL injection", 89, 1),
    VulnType("rce", "Remote code execution", 94, 1),
    VulnType("cmdi", "OS command injection", 78, 1),
    VulnType("auth-bypass", "Authentication bypass", 287, 1),
    VulnType("idor", "Insecure direct object reference / broken access control", 639, 2),
    VulnType("ssrf", "Server-side request forgery", 918, 2),
    VulnType("xxe", "XML external entity", 611, 2),
    VulnType("path-traversal", "Path traversal / local file inclusion", 22, 2),
    VulnType("file-upload", "Unrestricted file upload", 434, 2),
    VulnType("xss-stored", "Stored cross-site scripting", 79, 3),
    VulnType("xss-reflected", "Reflected cross-site scripting", 79, 3),
    VulnType("csrf", "Cross-site request forgery", 352, 3),
    VulnType("data-exposure", "Sensitive data exposure (personal data, credentials)", 200, 2),
    VulnType("misconfig", "Security misconfiguration (debug pages, default credentials, directory listing)", 16, 3),
    VulnType("session", "Session management flaw", 384, 3),
    VulnType("crypto", "Weak or missing encryption (TLS, hashing)", 327, 4),
    VulnType("open-redirect", "Open redirect", 601, 4),
    VulnType("info-leak", "Information disclosure (versions, stack traces)", 209, 5),
    VulnType("judol", "Injected online-gambling content (judol) or defacement", 506, 2),
    VulnType("other", "Other", 0, 4),
]
BY_CODE = {t.code: t for t in TYPES}
