"""Checkpoint scans (uploaded in batches, possibly offline) and the officer's passport lookup."""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from spbe.audit import services as audit
from spbe.core import permissions
from spbe.core.services import ServiceError

from .. import policy, protect
from ..models import (
    CheckpointScan,
    Exemption,
    Order,
    Traveller,
    Voucher,
)

from .common import levy_institution
from .vouchers import Verification, public_keys, verify_code, verify_reference


def record_scans(officer, scans: list[dict], *, checkpoint: str, device: str = "") -> dict:
    """Store scans uploaded by a checkpoint device; a nonce seen before is skipped.

    The server re-verifies every code itself: what the device decided offline is kept only
    as ``offline`` context, the recorded result is the server's.
    """
    permissions.require(officer, "levy.add_checkpointscan")
    accepted, duplicates, results = 0, 0, []
    institution = levy_institution()
    keys = public_keys()  # once per upload, not once per scan
    for scan in scans:
        nonce = str(scan.get("nonce") or "")[:64]
        if len(nonce) < 8:
            raise ServiceError(_("Every scan needs a nonce of at least 8 characters."), field="nonce")
        code, reference = str(scan.get("code") or ""), str(scan.get("reference") or "")
        category = str(scan.get("exemption_category") or "")
        scanned_at = scan.get("scanned_at") or timezone.now()
        if category:
            if category not in {c.value for c in policy.SHOW_AT_CHECKPOINT}:
                raise ServiceError(_("Unknown exemption category."), field="exemption_category")
            verification = Verification(CheckpointScan.Result.EXEMPT_DOCUMENT, None, None, "")
        elif code:
            verification = verify_code(code, timezone.localdate(scanned_at) if isinstance(scanned_at, datetime) else None, keys)
        elif reference:
            verification = verify_reference(reference)
        else:
            verification = Verification(CheckpointScan.Result.NOT_PAID, None, None, "")
        try:
            with transaction.atomic():
                CheckpointScan.objects.create(
                    institution=institution, nonce=nonce, officer=officer, checkpoint=checkpoint[:100], device=device[:100],
                    reference=(verification.claims.reference if verification.claims else reference[:8]),
                    voucher=verification.voucher, result=verification.result, exemption_category=category,
                    scanned_at=scanned_at, offline=bool(scan.get("offline")),
                )
        except IntegrityError:
            duplicates += 1
            results.append({"nonce": nonce, "duplicate": True})
            continue
        accepted += 1
        results.append({"nonce": nonce, "result": verification.result})
    if accepted:
        audit.record("levy.checkpoint.scans_uploaded", None, actor=officer, data={"checkpoint": checkpoint[:100], "accepted": accepted, "duplicates": duplicates})
    return {"accepted": accepted, "duplicates": duplicates, "results": results}


def lookup_passport(by, nationality: str, passport: str) -> list[dict]:
    """Officer lookup: every voucher and application for a passport. Audited (personal data)."""
    permissions.require(by, "levy.lookup_passport")
    number = protect.normalize_passport(passport)
    digest = protect.passport_hash(nationality, number)
    audit.record("levy.passport.lookup", None, actor=by, data={"nationality": nationality.upper(), "passport": protect.mask_passport(number)})
    rows = []
    for voucher in Voucher.objects.filter(passport_hash=digest).select_related("traveller__order", "exemption"):
        rows.append({
            "kind": voucher.kind, "reference": voucher.reference, "name": voucher.full_name,
            "valid_from": voucher.valid_from, "valid_until": voucher.valid_until,
            "revoked": voucher.revoked_at is not None, "order": voucher.traveller.order.code if voucher.traveller else None,
            "exemption": voucher.exemption.code if voucher.exemption else None,
        })
    for exemption in Exemption.objects.filter(passport_hash=digest).exclude(status=Exemption.Status.APPROVED):
        rows.append({"kind": "application", "reference": exemption.code, "name": exemption.full_name, "status": exemption.status})
    for traveller in Traveller.objects.filter(passport_hash=digest, order__status=Order.Status.PENDING).select_related("order"):
        rows.append({"kind": "unpaid_order", "reference": traveller.order.code, "name": traveller.full_name})
    return rows
