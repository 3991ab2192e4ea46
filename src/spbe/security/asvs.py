"""A condensed ITSA checklist following OWASP ASVS 5.0's chapters and levels (L1 ⊂ L2 ⊂ L3).

Items are written for this platform, one or a few per chapter, and carry local ids (``ITSA-V6-1``)
so they are never mistaken for official requirement numbers. Each assessment copies the rows it
uses, so editing this list never changes a past assessment.
"""

from __future__ import annotations

ITEMS: list[tuple[str, str, int, str]] = [  # (id, chapter, level, text)
    ("ITSA-V1-1", "V1 Encoding and Sanitization", 1, "Output is encoded for its context (HTML, attributes, JavaScript, URLs) everywhere user data is shown."),
    ("ITSA-V1-2", "V1 Encoding and Sanitization", 1, "Database queries use parameters or an ORM; no query is built by string concatenation."),
    ("ITSA-V1-3", "V1 Encoding and Sanitization", 2, "OS commands, LDAP, XPath and template engines never receive unsanitised user input."),
    ("ITSA-V2-1", "V2 Validation and Business Logic", 1, "Input is validated on the server against an allow-list of types, lengths and ranges."),
    ("ITSA-V2-2", "V2 Validation and Business Logic", 2, "Business flows enforce their order and limits (no skipping steps, replaying or exceeding quotas)."),
    ("ITSA-V3-1", "V3 Web Frontend Security", 1, "Cookies are Secure, HttpOnly and SameSite; pages set X-Content-Type-Options and a restrictive CSP."),
    ("ITSA-V3-2", "V3 Web Frontend Security", 2, "The application cannot be framed by other sites (frame-ancestors / X-Frame-Options)."),
    ("ITSA-V4-1", "V4 API and Web Service", 1, "APIs require authentication except documented public endpoints, which are rate-limited."),
    ("ITSA-V4-2", "V4 API and Web Service", 2, "API errors do not disclose stack traces, SQL or internal paths."),
    ("ITSA-V5-1", "V5 File Handling", 1, "Uploads are checked by content type and size and are never executed or served from the web root."),
    ("ITSA-V5-2", "V5 File Handling", 2, "Uploaded files get generated names; user-supplied paths cannot traverse directories."),
    ("ITSA-V6-1", "V6 Authentication", 1, "Passwords are hashed with a slow adaptive algorithm; no default or shared accounts exist."),
    ("ITSA-V6-2", "V6 Authentication", 1, "Brute force is slowed (rate limits or lockout) on login and password reset."),
    ("ITSA-V6-3", "V6 Authentication", 2, "Administrators use multi-factor authentication."),
    ("ITSA-V7-1", "V7 Session Management", 1, "Session ids are random, rotated at login, and invalidated at logout and after inactivity."),
    ("ITSA-V8-1", "V8 Authorization", 1, "Every object access is checked on the server against the user's rights (no IDOR)."),
    ("ITSA-V8-2", "V8 Authorization", 2, "Authorization is enforced in one place and covered by tests for each role."),
    ("ITSA-V9-1", "V9 Self-contained Tokens", 2, "Tokens (JWT etc.) are signed with a fixed algorithm, verified, and expire."),
    ("ITSA-V10-1", "V10 OAuth and OIDC", 3, "OAuth/OIDC flows use PKCE, exact redirect URIs and validate state and nonce."),
    ("ITSA-V11-1", "V11 Cryptography", 1, "No hard-coded keys or secrets; keys come from configuration or a key store."),
    ("ITSA-V11-2", "V11 Cryptography", 2, "Only current algorithms are used (no MD5/SHA-1 for security, no ECB, no home-made crypto)."),
    ("ITSA-V12-1", "V12 Secure Communication", 1, "All traffic uses TLS 1.2+ with valid certificates; HTTP redirects to HTTPS with HSTS."),
    ("ITSA-V13-1", "V13 Configuration", 1, "Debug modes, default pages, directory listing and unused services are off in production."),
    ("ITSA-V13-2", "V13 Configuration", 2, "Dependencies are inventoried and free of known critical vulnerabilities."),
    ("ITSA-V14-1", "V14 Data Protection", 1, "Personal data is collected minimally, protected at rest, and not written to logs (UU PDP)."),
    ("ITSA-V14-2", "V14 Data Protection", 2, "Backups are encrypted and restore is tested."),
    ("ITSA-V15-1", "V15 Secure Coding and Architecture", 2, "Security-relevant components are documented; third-party code is from trusted sources."),
    ("ITSA-V16-1", "V16 Security Logging and Error Handling", 1, "Security events (logins, access denials, admin actions) are logged with time and actor."),
    ("ITSA-V16-2", "V16 Security Logging and Error Handling", 2, "Logs are protected against tampering and forwarded to the SOC (Wazuh)."),
    ("ITSA-V17-1", "V17 WebRTC", 3, "WebRTC media uses DTLS-SRTP and TURN credentials are short-lived (if WebRTC is used)."),
]


def items_for(level: int) -> list[tuple[str, str, int, str]]:
    return [row for row in ITEMS if row[2] <= level]
