"""Love Bali levy records: orders, travellers, payments, refunds, vouchers, exemptions,
partner endpoints, checkpoint scans, settlement imports and arrival counts.

Orders, payments and refunds are separate records with their own states (after pretix's
design): an order is what is owed, a payment one attempt to pay it, a refund money going back.
All rows belong to the institution that runs the levy (``owner_kind = "institution"``).
State changes happen only in ``services.py``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .policy import ExemptionCategory, RefundReason


class Channel(models.TextChoices):
    WEB = "web", _("Love Bali website")
    ENDPOINT = "endpoint", _("Love Bali Endpoint partner")
    COUNTER = "counter", _("Airport / harbour counter")
    CHECKPOINT = "checkpoint", _("Checkpoint (pay on the spot)")


class Endpoint(models.Model):
    """A hotel, villa, agent, attraction or platform that collects the levy for its guests."""

    class Kind(models.TextChoices):
        ACCOMMODATION = "accommodation", _("Hotel, villa or homestay")
        TRAVEL_AGENT = "travel_agent", _("Travel agent")
        CRUISE_AGENT = "cruise_agent", _("Cruise agent")
        ATTRACTION = "attraction", _("Tourist attraction")
        PLATFORM = "platform", _("Digital booking platform")

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        SUSPENDED = "suspended", _("Suspended")

    institution = models.ForeignKey("core.Institution", on_delete=models.PROTECT, related_name="+")
    code = models.CharField(max_length=12, unique=True)  # public, printed on the endpoint's banner
    name = models.CharField(_("business name"), max_length=200)
    legal_name = models.CharField(_("legal entity name"), max_length=200)
    nib = models.CharField(_("business registration number (NIB)"), max_length=20)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    address = models.CharField(_("address"), max_length=300)
    website = models.CharField(_("website domain"), max_length=200, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=200)
    contact_email = models.EmailField(_("contact email"))
    pks_number = models.CharField(_("cooperation agreement (PKS) number"), max_length=100, blank=True)
    commission_rate = models.DecimalField(max_digits=5, decimal_places=4, default="0.0300")
    webhook_url = models.URLField(blank=True)
    # The partner's own organisation record: its people hold the partner_endpoint role there
    # and manage this endpoint (keys, webhooks, orders, statements) in the console.
    partner_agency = models.OneToOneField("core.Agency", null=True, blank=True, on_delete=models.SET_NULL, related_name="love_bali_endpoint")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    decision_note = models.TextField(blank=True)
    registered_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    owner_field = "institution"
    owner_kind = "institution"

    class Meta:
        ordering = ["name"]
        verbose_name = _("Love Bali Endpoint")
        verbose_name_plural = _("Love Bali Endpoints")
        permissions = [("review_endpoint", "Can approve or suspend Love Bali Endpoints")]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class EndpointKey(models.Model):
    """An API credential of an endpoint; the secret is kept encrypted (HMAC needs it)."""

    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="keys")
    key_id = models.CharField(max_length=40, unique=True)
    secret_encrypted = models.TextField()
    label = models.CharField(max_length=100, blank=True)
    # A sandbox key makes test orders: paid only at the bank simulator, vouchers that no
    # checkpoint accepts, no commission, outside every figure and reconciliation.
    sandbox = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    owner_field = "endpoint__institution"
    owner_kind = "institution"

    def __str__(self) -> str:
        return self.key_id


class IdempotencyRecord(models.Model):
    """The stored answer to a partner POST, replayed when the same Idempotency-Key comes again."""

    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)
    response = models.JSONField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["endpoint", "key"], name="levy_idempotency_unique")]


class WebhookEndpoint(models.Model):
    """Where a partner wants events (order.paid, voucher.issued, refund.done, voucher.revoked,
    refund_request.decided)."""

    EVENTS = ("order.paid", "voucher.issued", "refund.done", "voucher.revoked", "refund_request.decided")

    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="webhooks")
    url = models.URLField(_("URL"), max_length=500)
    secret_encrypted = models.TextField()
    events = models.JSONField(default=list, blank=True)  # empty: every event
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    disabled_at = models.DateTimeField(null=True, blank=True)

    owner_field = "endpoint__institution"
    owner_kind = "institution"

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.url

    def wants(self, event_type: str) -> bool:
        return self.active and (not self.events or event_type in self.events)


class WebhookDelivery(models.Model):
    """One event for one webhook endpoint, retried with back-off until the partner answers 2xx.

    ``event_id`` is the same for every delivery of one event, so a partner that receives an
    event twice (a retry after a lost answer) can drop the duplicate.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Gave up")

    webhook = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event_id = models.CharField(max_length=40, db_index=True)
    event_type = models.CharField(max_length=40)
    payload = models.JSONField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    owner_field = "webhook__endpoint__institution"
    owner_kind = "institution"

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["webhook", "event_id"], name="levy_webhook_delivery_once")]


class Order(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting payment")
        PAID = "paid", _("Paid")
        EXPIRED = "expired", _("Expired")
        CANCELED = "canceled", _("Canceled")

    institution = models.ForeignKey("core.Institution", on_delete=models.PROTECT, related_name="+")
    code = models.CharField(max_length=16, unique=True)
    channel = models.CharField(max_length=12, choices=Channel.choices)
    endpoint = models.ForeignKey(Endpoint, null=True, blank=True, on_delete=models.PROTECT, related_name="orders")
    sandbox = models.BooleanField(default=False, db_index=True)  # made with a partner's sandbox key
    email = models.EmailField()
    language = models.CharField(max_length=10, default="en")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    unit_amount = models.PositiveIntegerField()
    total = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    paid_at = models.DateTimeField(null=True, blank=True)
    # Set once every traveller has a voucher (or is found already covered): the invariant
    # "paid ⇒ vouchers_issued_at set" is what the repair sweep checks.
    vouchers_issued_at = models.DateTimeField(null=True, blank=True)

    owner_field = "institution"
    owner_kind = "institution"

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("levy order")
        verbose_name_plural = _("levy orders")
        permissions = [("lookup_passport", "Can look up levy coverage by passport number")]
        indexes = [models.Index(fields=["status", "paid_at"]), models.Index(fields=["status", "vouchers_issued_at"])]

    def __str__(self) -> str:
        return self.code


class Traveller(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="travellers")
    position = models.PositiveSmallIntegerField()
    full_name = models.CharField(max_length=100)
    nationality = models.CharField(max_length=2)  # ISO 3166-1 alpha-2
    passport_hash = models.CharField(max_length=64, db_index=True)
    passport_encrypted = models.TextField()
    passport_hint = models.CharField(max_length=20)  # masked, for display
    arrival_date = models.DateField()
    # When the traveller turned out to be covered already, the order pays them back.
    covered_by_existing = models.ForeignKey("Voucher", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    owner_field = "order__institution"
    owner_kind = "institution"

    class Meta:
        ordering = ["order", "position"]
        constraints = [models.UniqueConstraint(fields=["order", "position"], name="levy_traveller_position")]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.nationality})"


class Payment(models.Model):
    class State(models.TextChoices):
        CREATED = "created", _("Created")
        PENDING = "pending", _("Pending")
        CONFIRMED = "confirmed", _("Confirmed")
        FAILED = "failed", _("Failed")
        CANCELED = "canceled", _("Canceled")
        REFUNDED = "refunded", _("Refunded")

    class Method(models.TextChoices):
        QRIS = "qris", _("QRIS")
        VIRTUAL_ACCOUNT = "va", _("Virtual account")
        CARD = "card", _("Card")

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="payments")
    local_id = models.PositiveSmallIntegerField()
    provider = models.CharField(max_length=20)
    method = models.CharField(max_length=10, choices=Method.choices)
    amount = models.PositiveIntegerField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.CREATED)
    provider_reference = models.CharField(max_length=100, blank=True)
    info = models.JSONField(default=dict, blank=True)  # payment instructions shown to the payer
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    settled_at = models.DateTimeField(null=True, blank=True)  # seen in a bank settlement file

    owner_field = "order__institution"
    owner_kind = "institution"

    class Meta:
        ordering = ["order", "local_id"]
        constraints = [
            models.UniqueConstraint(fields=["order", "local_id"], name="levy_payment_local_id"),
            models.UniqueConstraint(
                fields=["provider", "provider_reference"],
                condition=~Q(provider_reference=""),
                name="levy_payment_provider_reference",
            ),
        ]

    @property
    def merchant_reference(self) -> str:
        """What the provider knows this payment by (unique per attempt, as Midtrans requires)."""
        return f"{self.order.code}-P{self.local_id}"

    def __str__(self) -> str:
        return self.merchant_reference


class ProviderNotification(models.Model):
    """Every notification received from a payment provider, kept raw for disputes."""

    provider = models.CharField(max_length=20)
    dedupe_key = models.CharField(max_length=200)
    provider_reference = models.CharField(max_length=100, blank=True)
    body = models.TextField()
    received_at = models.DateTimeField(auto_now_add=True)
    times_received = models.PositiveIntegerField(default=1)
    outcome = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["provider", "dedupe_key"], name="levy_notification_once")]


class Refund(models.Model):
    class State(models.TextChoices):
        CREATED = "created", _("Created")
        TRANSIT = "transit", _("Sent to the provider")
        EXTERNAL = "external", _("To be paid by manual transfer")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        CANCELED = "canceled", _("Canceled")

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    amount = models.PositiveIntegerField()
    reason = models.CharField(max_length=24, choices=RefundReason.choices)
    state = models.CharField(max_length=10, choices=State.choices, default=State.CREATED)
    note = models.TextField(blank=True)
    provider_reference = models.CharField(max_length=100, blank=True)
    # Refunding an order's last money revokes its vouchers; a duplicate payment's refund does not.
    revokes_vouchers = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)

    owner_field = "payment__order__institution"
    owner_kind = "institution"

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"refund {self.pk} of {self.payment}"


class RefundRequest(models.Model):
    """A partner asks for the levy of some of a paid order's travellers back; a levy officer
    decides. Approval creates the Refund (which then runs as any other) and revokes the named
    travellers' vouchers at once, so they cannot be used while the money travels back."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn by the partner")

    class Reason(models.TextChoices):
        TRIP_CANCELLED = "trip_cancelled", _("Trip cancelled")
        PAID_TWICE = "paid_twice", _("Paid twice for the same traveller")
        WRONG_DETAILS = "wrong_details", _("Wrong traveller details")
        OTHER = "other", _("Other")

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="refund_requests")
    endpoint = models.ForeignKey(Endpoint, on_delete=models.PROTECT, related_name="refund_requests")
    travellers = models.JSONField(default=list)  # positions within the order
    amount = models.PositiveIntegerField()
    reason = models.CharField(max_length=20, choices=Reason.choices)
    note = models.TextField(blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decision_note = models.TextField(blank=True)
    refund = models.OneToOneField(Refund, null=True, blank=True, on_delete=models.PROTECT, related_name="partner_request")

    owner_field = "order__institution"
    owner_kind = "institution"

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["order"], condition=models.Q(state="pending"),
                                               name="levy_one_pending_refund_request")]

    def __str__(self) -> str:
        return f"refund request {self.pk} for {self.order_id}"


class SigningKey(models.Model):
    """Ed25519 key pairs for vouchers; the private half is encrypted under LEVY_DATA_KEY."""

    number = models.PositiveSmallIntegerField(unique=True)  # the key number inside each code (1..255)
    public_key = models.CharField(max_length=64)  # raw 32 bytes, hex
    private_key_encrypted = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(null=True, blank=True)  # no new vouchers; old ones still verify
    # Signs partners' sandbox vouchers only; never published to scanners, so those never verify.
    sandbox = models.BooleanField(default=False)

    class Meta:
        constraints = [
            # One key signs at a time (one live, one sandbox): two workers making the first key
            # at once cannot both succeed, and neither has to lock another key's row to know.
            models.UniqueConstraint(fields=["sandbox"], condition=models.Q(retired_at__isnull=True),
                                    name="levy_one_active_signing_key"),
        ]

    def __str__(self) -> str:
        return f"key {self.number}"


class Exemption(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    institution = models.ForeignKey("core.Institution", on_delete=models.PROTECT, related_name="+")
    code = models.CharField(max_length=16, unique=True)
    category = models.CharField(max_length=1, choices=ExemptionCategory.choices)
    full_name = models.CharField(max_length=100)
    nationality = models.CharField(max_length=2)
    passport_hash = models.CharField(max_length=64, db_index=True)
    passport_encrypted = models.TextField()
    passport_hint = models.CharField(max_length=20)
    email = models.EmailField()
    language = models.CharField(max_length=10, default="en")
    arrival_date = models.DateField()
    departure_date = models.DateField()
    reason = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    submitted_at = models.DateTimeField(auto_now_add=True)
    decide_by = models.DateField()
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decision_note = models.TextField(blank=True)

    owner_field = "institution"
    owner_kind = "institution"

    class Meta:
        ordering = ["decide_by", "submitted_at"]
        permissions = [("review_exemption", "Can decide levy exemption applications")]

    def __str__(self) -> str:
        return self.code


class ExemptionDocument(models.Model):
    exemption = models.ForeignKey(Exemption, on_delete=models.CASCADE, related_name="documents")
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    # Encrypted at rest (it is a passport or visa scan): Fernet token of the file bytes.
    content_encrypted = models.BinaryField()
    uploaded_at = models.DateTimeField(auto_now_add=True)

    owner_field = "exemption__institution"
    owner_kind = "institution"


class Voucher(models.Model):
    class Kind(models.TextChoices):
        PAID = "paid", _("Levy paid")
        EXEMPT = "exempt", _("Exempt")

    institution = models.ForeignKey("core.Institution", on_delete=models.PROTECT, related_name="+")
    reference = models.CharField(max_length=8, unique=True)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    traveller = models.OneToOneField(Traveller, null=True, blank=True, on_delete=models.PROTECT, related_name="voucher")
    exemption = models.OneToOneField(Exemption, null=True, blank=True, on_delete=models.PROTECT, related_name="voucher")
    passport_hash = models.CharField(max_length=64, db_index=True)
    full_name = models.CharField(max_length=100)
    nationality = models.CharField(max_length=2)
    code = models.TextField()  # the signed QR text
    key = models.ForeignKey(SigningKey, on_delete=models.PROTECT, related_name="+")
    sandbox = models.BooleanField(default=False)  # signed with the sandbox key: valid nowhere
    valid_from = models.DateField()
    valid_until = models.DateField()
    issued_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoke_reason = models.CharField(max_length=200, blank=True)

    owner_field = "institution"
    owner_kind = "institution"

    class Meta:
        ordering = ["-issued_at"]
        indexes = [models.Index(fields=["revoked_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(traveller__isnull=False, exemption__isnull=True) | Q(traveller__isnull=True, exemption__isnull=False),
                name="levy_voucher_one_source",
            )
        ]

    def __str__(self) -> str:
        return self.reference


class CheckpointScan(models.Model):
    class Result(models.TextChoices):
        VALID = "valid", _("Valid")
        NOT_YET_VALID = "not_yet_valid", _("Not valid yet")
        EXPIRED = "expired", _("Expired")
        REVOKED = "revoked", _("Revoked")
        INVALID = "invalid", _("Not genuine")
        EXEMPT_DOCUMENT = "exempt_document", _("Exempt (document shown)")
        NOT_PAID = "not_paid", _("Not paid")

    institution = models.ForeignKey("core.Institution", on_delete=models.PROTECT, related_name="+")
    nonce = models.CharField(max_length=64, unique=True)  # set by the device; uploads are retried
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    checkpoint = models.CharField(max_length=100)
    device = models.CharField(max_length=100, blank=True)
    reference = models.CharField(max_length=8, blank=True)
    voucher = models.ForeignKey(Voucher, null=True, blank=True, on_delete=models.SET_NULL, related_name="scans")
    result = models.CharField(max_length=16, choices=Result.choices)
    exemption_category = models.CharField(max_length=1, choices=ExemptionCategory.choices, blank=True)
    scanned_at = models.DateTimeField()  # device clock
    received_at = models.DateTimeField(auto_now_add=True)
    offline = models.BooleanField(default=False)

    owner_field = "institution"
    owner_kind = "institution"

    class Meta:
        ordering = ["-scanned_at"]


class CommissionStatement(models.Model):
    endpoint = models.ForeignKey(Endpoint, on_delete=models.PROTECT, related_name="statements")
    year = models.PositiveSmallIntegerField()
    quarter = models.PositiveSmallIntegerField()
    orders = models.PositiveIntegerField()
    travellers = models.PositiveIntegerField()
    levy_total = models.BigIntegerField()
    commission_total = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    owner_field = "endpoint__institution"
    owner_kind = "institution"

    class Meta:
        ordering = ["-year", "-quarter"]
        constraints = [models.UniqueConstraint(fields=["endpoint", "year", "quarter"], name="levy_statement_once")]


class CommissionEntry(models.Model):
    """3% of each confirmed endpoint payment; a refund books a negative entry."""

    endpoint = models.ForeignKey(Endpoint, on_delete=models.PROTECT, related_name="commission_entries")
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="+")
    payment = models.ForeignKey(Payment, null=True, on_delete=models.PROTECT, related_name="+")
    refund = models.OneToOneField(Refund, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    levy_amount = models.BigIntegerField()
    rate = models.DecimalField(max_digits=5, decimal_places=4)
    amount = models.BigIntegerField()
    booked_at = models.DateTimeField()
    statement = models.ForeignKey(CommissionStatement, null=True, blank=True, on_delete=models.PROTECT, related_name="entries")

    owner_field = "endpoint__institution"
    owner_kind = "institution"

    class Meta:
        ordering = ["booked_at"]
        constraints = [
            models.UniqueConstraint(fields=["payment"], condition=Q(refund__isnull=True), name="levy_commission_once_per_payment")
        ]


class SettlementBatch(models.Model):
    institution = models.ForeignKey("core.Institution", on_delete=models.PROTECT, related_name="+")
    settlement_date = models.DateField()
    file_name = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64)
    imported_at = models.DateTimeField(auto_now_add=True)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    lines = models.PositiveIntegerField(default=0)
    matched = models.PositiveIntegerField(default=0)
    flagged = models.PositiveIntegerField(default=0)
    unsettled_payments = models.JSONField(default=list)  # confirmed payments of the day missing from the file

    owner_field = "institution"
    owner_kind = "institution"

    class Meta:
        ordering = ["-settlement_date", "-imported_at"]
        constraints = [models.UniqueConstraint(fields=["institution", "sha256"], name="levy_settlement_file_once")]


class SettlementLine(models.Model):
    class State(models.TextChoices):
        MATCHED = "matched", _("Matched")
        NO_MATCH = "nomatch", _("No matching payment")
        ALREADY = "already", _("Payment already settled (duplicate line)")
        AMOUNT_MISMATCH = "amount", _("Amount differs")
        NOT_CONFIRMED = "unconfirmed", _("Payment not confirmed here")
        FEE_MISMATCH = "fee", _("Fee differs from the agreed fee")
        NET_MISMATCH = "net", _("Net is not amount minus fee")
        REFUNDED = "refunded", _("Settled, but refunded here")
        CHARGEBACK = "chargeback", _("Charged back by the bank")
        INVALID = "invalid", _("Unreadable line")

    batch = models.ForeignKey(SettlementBatch, on_delete=models.CASCADE, related_name="settlement_lines")
    line_number = models.PositiveIntegerField()
    provider_reference = models.CharField(max_length=100, blank=True)
    merchant_reference = models.CharField(max_length=100, blank=True)
    amount = models.BigIntegerField(null=True)
    fee = models.BigIntegerField(null=True)
    net = models.BigIntegerField(null=True)
    state = models.CharField(max_length=12, choices=State.choices)
    payment = models.ForeignKey(Payment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    detail = models.CharField(max_length=300, blank=True)

    owner_field = "batch__institution"
    owner_kind = "institution"

    class Meta:
        ordering = ["batch", "line_number"]


class ArrivalCount(models.Model):
    """Foreign arrivals per day (immigration / BPS figures), for the compliance rate."""

    institution = models.ForeignKey("core.Institution", on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    arrivals = models.PositiveIntegerField()
    source = models.CharField(max_length=100, blank=True)

    owner_field = "institution"
    owner_kind = "institution"

    class Meta:
        ordering = ["day"]
        constraints = [models.UniqueConstraint(fields=["institution", "day"], name="levy_arrivals_once_per_day")]
