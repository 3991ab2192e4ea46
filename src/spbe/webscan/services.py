"""Scans, findings and alerts for registered websites (the asset inventory's websites).

Only websites registered in the inventory are scanned, and the crawler never leaves their host.
A finding is keyed by (website, URL); an acknowledgement is bound to the content hash, so
changed content re-opens and re-alerts. A finding closes only after two consecutive clean
re-checks of every fetch variant.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import hmac
import json
import os
import secrets
import socket
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from spbe.audit import services as audit
from spbe.core import outbound, permissions
from spbe.core.services import ConflictError, ServiceError
from spbe.inventory.services import websites_to_scan

from .crawler import CrawlResult, PageResult, crawl
from .detector import SiteContext
from .models import AlertChannel, AlertDelivery, Finding, FindingEvent, PageState, ScanRun, SiteBaseline

DEADLINE = timedelta(hours=48)  # Komdigi escalates after 2×24 hours without a response
CLEAN_RECHECKS_TO_CLOSE = 2


def crawl_options() -> dict:
    return {
        "max_pages": int(getattr(settings, "WEBSCAN_MAX_PAGES", 300)),
        "concurrency": int(getattr(settings, "WEBSCAN_CONCURRENCY_PER_HOST", 2)),
        "interval": float(getattr(settings, "WEBSCAN_REQUEST_INTERVAL", 0.5)),
    }


# --- requesting scans -----------------------------------------------------------------


@transaction.atomic
def request_scan(website, *, by=None, trigger: str = ScanRun.Trigger.ON_DEMAND, only_urls=None) -> ScanRun:
    """Queue a scan of one registered website; the crawl runs in a worker (queue "crawler")."""
    permissions.require_unless_system(by, "webscan.add_scanrun", website)
    if not website.is_active:
        raise ServiceError(_("This website is not active in the inventory."))
    pending = ScanRun.objects.filter(website=website, status__in=[ScanRun.Status.QUEUED, ScanRun.Status.RUNNING])
    if trigger != ScanRun.Trigger.RECHECK and pending.exclude(trigger=ScanRun.Trigger.RECHECK).exists():
        raise ConflictError(_("A scan of this website is already queued or running."))
    run = ScanRun.objects.create(website=website, trigger=trigger, only_urls=list(only_urls or []), requested_by=by)
    audit.record("webscan.scan.requested", run, data={"website": website.domain, "trigger": trigger,
                                                       "urls": run.only_urls})
    from .tasks import scan_website

    transaction.on_commit(lambda: scan_website.enqueue(run.pk))
    return run


def schedule_all() -> list[ScanRun]:
    """Queue a scheduled scan of every active website (daily, through settings.SCHEDULE)."""
    runs = []
    for website in websites_to_scan():
        try:
            runs.append(request_scan(website, trigger=ScanRun.Trigger.SCHEDULED))
        except ConflictError:
            continue
    return runs


# --- running a scan (in the worker) ---------------------------------------------------


def execute_scan(run_id: int, **overrides) -> ScanRun:
    with transaction.atomic():
        run = ScanRun.objects.select_for_update().select_related("website", "website__agency").get(pk=run_id)
        if run.status != ScanRun.Status.QUEUED:
            return run  # another worker took it, or it already ran
        run.status = ScanRun.Status.RUNNING
        run.started_at = timezone.now()
        run.worker = f"{socket.gethostname()}:{os.getpid()}"
        run.save()
    website = run.website
    baseline = SiteBaseline.objects.filter(website=website).first()
    context = SiteContext(
        known_outbound_domains=set(baseline.outbound_domains) if baseline else set(),
        verification_tokens=set(baseline.verification_tokens) if baseline else set(),
        sitemap_urls=set(baseline.sitemap_urls) if baseline else set(),
    )
    conditional = {
        state.url: {"etag": state.etag, "last_modified": state.last_modified}
        for state in PageState.objects.filter(website=website)
    }
    options = {**crawl_options(), **overrides}
    try:
        # Refuse before fetching anything: a registered address that is not public (or not
        # allow-listed for scans) would turn the scanner against the data centre's own network.
        outbound.check_url(website.base_url, options.get("purpose", "webscan"))
        result = crawl(website.base_url, conditional=conditional, context=context,
                       only_urls=run.only_urls or None, **options)
    except outbound.OutboundRefused as exc:
        ScanRun.objects.filter(pk=run.pk).update(status=ScanRun.Status.FAILED, finished_at=timezone.now(),
                                                 error=_("Not scanned: %(reason)s") % {"reason": exc})
        run.refresh_from_db()
        return run
    except Exception as exc:  # noqa: BLE001 - a failed crawl is recorded, not lost
        ScanRun.objects.filter(pk=run.pk).update(status=ScanRun.Status.FAILED, finished_at=timezone.now(),
                                                 error=f"{type(exc).__name__}: {exc}")
        run.refresh_from_db()
        return run
    _record_results(run, result)
    run.refresh_from_db()
    return run


@transaction.atomic
def _record_results(run: ScanRun, result: CrawlResult) -> None:
    website = run.website
    now = timezone.now()
    infected = 0
    for page in result.pages:
        browser = page.fetched.get("browser")
        PageState.objects.update_or_create(
            website=website, url=page.url,
            defaults={
                "etag": page.etag, "last_modified": page.last_modified,
                "sha256": browser.sha256 if browser else "", "in_sitemap": page.url in result.sitemap_urls,
                "last_verdict": page.verdict.verdict, "last_scanned_at": now,
            },
        )
        if page.verdict.verdict == "infected":
            infected += 1
            _on_infected(run, page)
        else:
            _on_clean(run, page)
    if infected == 0 and not run.only_urls:
        SiteBaseline.objects.update_or_create(website=website, defaults={
            "outbound_domains": sorted(result.outbound_domains),
            "verification_tokens": sorted(result.verification_tokens),
            "sitemap_urls": sorted(result.sitemap_urls)[:5000],
        })
    ScanRun.objects.filter(pk=run.pk).update(
        status=ScanRun.Status.FINISHED, finished_at=timezone.now(), pages=len(result.pages),
        requests=result.requests, not_modified=sum(1 for p in result.pages if p.not_modified),
        infected_pages=infected,
    )
    audit.record("webscan.scan.finished", run, data={"pages": len(result.pages), "infected": infected,
                                                      "requests": result.requests})


def _content_hash(page: PageResult) -> str:
    digest = hashlib.sha256()
    for variant in sorted(page.fetched):
        digest.update(variant.encode())
        digest.update(page.fetched[variant].sha256.encode())
        digest.update(page.fetched[variant].final_url.encode())
    return digest.hexdigest()


def _snapshot(page: PageResult) -> bytes:
    data = {
        variant: {
            "status": f.status, "url": f.url, "final_url": f.final_url, "redirect_chain": f.chain,
            "headers": f.headers, "sha256": f.sha256, "error": f.error,
            "body_base64": base64.b64encode(f.body).decode("ascii"),
        }
        for variant, f in page.fetched.items()
    }
    return gzip.compress(json.dumps({"url": page.url, "captured_at": timezone.now().isoformat(),
                                     "variants": data}).encode())


def _evidence(page: PageResult) -> dict:
    return {
        "verdict": page.verdict.as_dict(),
        "variants": {
            v: {"status": f.status, "final_url": f.final_url, "redirect_chain": f.chain, "sha256": f.sha256,
                "user_agent_profile": v}
            for v, f in page.fetched.items()
        },
    }


def _event(finding: Finding, kind: str, note: str = "", actor=None) -> None:
    FindingEvent.objects.create(finding=finding, kind=kind, note=note, actor=actor)


def _on_infected(run: ScanRun, page: PageResult) -> None:
    website = run.website
    content_hash = _content_hash(page)
    verdict = page.verdict
    severity = Finding.Severity.HIGH if (
        set(verdict.techniques) & {"cloaking", "js_redirect", "hidden_links"} or verdict.score >= 0.8
    ) else Finding.Severity.MEDIUM
    active = Finding.objects.select_for_update().filter(website=website, url=page.url,
                                                        status__in=Finding.ACTIVE).first()
    if active is None:
        dismissed = Finding.objects.filter(website=website, url=page.url, status=Finding.Status.FALSE_POSITIVE,
                                           content_hash=content_hash).exists()
        if dismissed:
            return  # same content already judged a false positive by a person
        finding = Finding(
            website=website, url=page.url, techniques=verdict.techniques, severity=severity,
            score=verdict.score, evidence=_evidence(page), content_hash=content_hash,
            deadline=timezone.now() + DEADLINE, scan=run, last_checked_at=timezone.now(),
        )
        finding.snapshot.save("snapshot.json.gz", ContentFile(_snapshot(page)), save=False)
        finding.save()
        _event(finding, "detected", ", ".join(verdict.techniques))
        audit.record("webscan.finding.detected", finding, data={"url": page.url, "techniques": verdict.techniques,
                                                                 "score": verdict.score})
        _queue_alert(finding, "detected")
        return
    active.last_checked_at = timezone.now()
    active.clean_rechecks = 0
    reopened = active.status == Finding.Status.REMEDIATED or (
        active.status == Finding.Status.ACKNOWLEDGED and active.content_hash != content_hash)
    if reopened:
        kind = "recheck_infected" if active.status == Finding.Status.REMEDIATED else "content_changed"
        active.status = Finding.Status.OPEN
        active.content_hash = content_hash
        active.evidence = _evidence(page)
        active.techniques = verdict.techniques
        active.snapshot.save("snapshot.json.gz", ContentFile(_snapshot(page)), save=False)
        active.save()
        _event(active, kind)
        audit.record("webscan.finding.reopened", active, data={"reason": kind})
        _queue_alert(active, kind)
    else:
        active.save(update_fields=["last_checked_at", "clean_rechecks"])


def _on_clean(run: ScanRun, page: PageResult) -> None:
    active = Finding.objects.select_for_update().filter(website=run.website, url=page.url,
                                                        status__in=Finding.ACTIVE).first()
    if active is None:
        return
    active.clean_rechecks += 1
    active.last_checked_at = timezone.now()
    if active.clean_rechecks >= CLEAN_RECHECKS_TO_CLOSE:
        active.status = Finding.Status.CLOSED
        active.closed_at = timezone.now()
        _event(active, "closed", _("Clean on %(n)s consecutive re-checks.") % {"n": active.clean_rechecks})
        audit.record("webscan.finding.closed", active, data={"clean_rechecks": active.clean_rechecks})
    else:
        _event(active, "recheck_clean")
        # Closing needs another clean look: queue the next re-check right away.
        transaction.on_commit(lambda: request_scan(run.website, trigger=ScanRun.Trigger.RECHECK,
                                                   only_urls=[page.url]))
    active.save()


# --- people acting on findings --------------------------------------------------------


def _locked(finding: Finding) -> Finding:
    return Finding.objects.select_for_update().select_related("website").get(pk=finding.pk)


@transaction.atomic
def acknowledge(finding: Finding, *, by, note: str = "") -> Finding:
    finding = _locked(finding)
    permissions.require_unless_system(by, "webscan.manage_finding", finding)
    if finding.status != Finding.Status.OPEN:
        raise ConflictError(_("Only an open finding can be acknowledged."))
    finding.status = Finding.Status.ACKNOWLEDGED
    finding.acknowledged_at = timezone.now()
    finding.acknowledged_by = by
    finding.save()
    _event(finding, "acknowledged", note, by)
    audit.record("webscan.finding.acknowledged", finding, data={"note": note, "content_hash": finding.content_hash})
    return finding


@transaction.atomic
def mark_remediated(finding: Finding, *, by, note: str = "") -> Finding:
    """The OPD says it cleaned the page: re-check now; two clean re-checks close the finding."""
    finding = _locked(finding)
    permissions.require_unless_system(by, "webscan.manage_finding", finding)
    if finding.status not in (Finding.Status.OPEN, Finding.Status.ACKNOWLEDGED):
        raise ConflictError(_("This finding cannot be marked remediated now."))
    if not note.strip():
        raise ServiceError(_("Describe what was cleaned (files, plugins, accounts, passwords)."), field="note")
    finding.status = Finding.Status.REMEDIATED
    finding.remediated_at = timezone.now()
    finding.clean_rechecks = 0
    finding.save()
    _event(finding, "remediated", note, by)
    audit.record("webscan.finding.remediated", finding, data={"note": note})
    request_scan(finding.website, trigger=ScanRun.Trigger.RECHECK, only_urls=[finding.url])
    return finding


@transaction.atomic
def recheck(finding: Finding, *, by) -> ScanRun:
    finding = _locked(finding)
    permissions.require_unless_system(by, "webscan.manage_finding", finding)
    if finding.status not in Finding.ACTIVE:
        raise ConflictError(_("Only an active finding can be re-checked."))
    _event(finding, "recheck_requested", "", by)
    return request_scan(finding.website, trigger=ScanRun.Trigger.RECHECK, only_urls=[finding.url])


@transaction.atomic
def mark_false_positive(finding: Finding, *, by, reason: str) -> Finding:
    finding = _locked(finding)
    permissions.require_unless_system(by, "webscan.manage_finding", finding)
    if not reason.strip():
        raise ServiceError(_("Explain why this is not an injection."), field="reason")
    if finding.status not in Finding.ACTIVE:
        raise ConflictError(_("Only an active finding can be dismissed."))
    finding.status = Finding.Status.FALSE_POSITIVE
    finding.closed_at = timezone.now()
    finding.save()
    _event(finding, "false_positive", reason, by)
    audit.record("webscan.finding.false_positive", finding, data={"reason": reason,
                                                                  "content_hash": finding.content_hash})
    return finding


# --- alerts ----------------------------------------------------------------------------


@transaction.atomic
def add_alert_channel(agency, *, kind: str, target: str, by=None) -> AlertChannel:
    permissions.require_unless_system(by, "webscan.add_alertchannel", agency)
    from django.core.exceptions import ValidationError
    from django.core.validators import URLValidator, validate_email

    target = target.strip()
    try:
        if kind == AlertChannel.Kind.EMAIL:
            validate_email(target)
        elif kind == AlertChannel.Kind.WEBHOOK:
            URLValidator(schemes=["https", "http"])(target)
        else:
            raise ServiceError(_("Unknown channel kind."), field="kind")
    except ValidationError:
        raise ServiceError(_("Enter a valid email address or https:// URL."), field="target") from None
    channel = AlertChannel.objects.create(agency=agency, kind=kind, target=target,
                                          secret=secrets.token_hex(32) if kind == AlertChannel.Kind.WEBHOOK else "")
    audit.record("webscan.alert_channel.added", channel, data={"kind": kind, "target": target})
    return channel


def _queue_alert(finding: Finding, reason: str) -> None:
    from .tasks import deliver_alerts

    transaction.on_commit(lambda: deliver_alerts.enqueue(finding.pk, reason))


def recipients(finding: Finding) -> tuple[list[str], list[AlertChannel]]:
    """Email addresses (webmaster, channels, the OPD's admins) and webhook channels."""
    from spbe.core.models import Membership
    from spbe.core.roles import Role

    website = finding.website
    emails = {website.admin_email} if website.admin_email else set()
    hooks = []
    for channel in AlertChannel.objects.filter(agency=website.agency, is_active=True):
        if channel.kind == AlertChannel.Kind.EMAIL:
            emails.add(channel.target)
        else:
            hooks.append(channel)
    emails.update(
        Membership.objects.filter(agency=website.agency, role=Role.AGENCY_ADMIN, is_active=True)
        .exclude(user__email="").values_list("user__email", flat=True)
    )
    return sorted(emails), hooks


def alert_payload(finding: Finding, reason: str) -> dict:
    verdict = finding.evidence.get("verdict", {})
    return {
        "event": f"judol.finding.{reason}",
        "finding_id": finding.pk,
        "website": finding.website.domain,
        "agency": finding.website.agency.name,
        "url": finding.url,
        "severity": finding.severity,
        "techniques": finding.techniques,
        "score": str(finding.score),
        "detected_at": finding.detected_at.isoformat(),
        "deadline": finding.deadline.isoformat(),
        "signals": [{k: s[k] for k in ("name", "detail", "variant", "excerpts")} for s in verdict.get("signals", [])],
        "console_url": settings.SITE_URL.rstrip("/") + reverse("webscan:finding-detail", args=[finding.pk]),
    }


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def deliver(finding_id: int, reason: str, *, attempts: int = 3, backoff: float = 1.0) -> list[AlertDelivery]:
    """Email every recipient and POST every webhook (HMAC-signed), retrying failures."""
    import time

    import httpx

    finding = Finding.objects.select_related("website", "website__agency").get(pk=finding_id)
    payload = alert_payload(finding, reason)
    emails, hooks = recipients(finding)
    deliveries = []
    subject = _("[SPBE] Online-gambling content found on %(domain)s") % {"domain": finding.website.domain}
    lines = [
        _("The judol bot found injected online-gambling content on a website of %(agency)s.")
        % {"agency": finding.website.agency.name},
        f"URL: {finding.url}",
        _("Techniques: %(t)s") % {"t": ", ".join(finding.techniques)},
        _("Handle before: %(deadline)s (48 hours; Komdigi escalates after that).")
        % {"deadline": timezone.localtime(finding.deadline).strftime("%Y-%m-%d %H:%M WITA")},
        "",
        *[f"- [{s['variant']}] {s['detail']}" for s in payload["signals"]],
        "",
        _("Acknowledge, clean up and request a re-check: %(url)s") % {"url": payload["console_url"]},
    ]
    if emails:
        delivery = AlertDelivery.objects.create(finding=finding, channel="email", target=", ".join(emails))
        try:
            send_mail(subject, "\n".join(lines), None, emails, fail_silently=False)
            delivery.delivered_at = timezone.now()
        except Exception as exc:  # noqa: BLE001
            delivery.last_error = str(exc)
        delivery.attempts = 1
        delivery.save()
        deliveries.append(delivery)
    body = json.dumps(payload, ensure_ascii=False).encode()
    for hook in hooks:
        delivery = AlertDelivery.objects.create(finding=finding, channel="webhook", target=hook.target)
        for attempt in range(1, attempts + 1):
            delivery.attempts = attempt
            try:
                response = outbound.post("webhooks", hook.target, content=body, timeout=10, headers={
                    "Content-Type": "application/json", "X-SPBE-Event": payload["event"],
                    "X-SPBE-Signature": sign(hook.secret, body), "X-SPBE-Delivery": str(delivery.pk),
                })
                if 200 <= response.status_code < 300:
                    delivery.delivered_at = timezone.now()
                    delivery.last_error = ""
                    break
                delivery.last_error = f"HTTP {response.status_code}"
            except httpx.HTTPError as exc:
                delivery.last_error = f"{type(exc).__name__}: {exc}"
            if attempt < attempts:
                time.sleep(backoff * attempt)
        delivery.save()
        deliveries.append(delivery)
    _event(finding, "alerted", f"{len(emails)} email, {len(hooks)} webhook")
    return deliveries
