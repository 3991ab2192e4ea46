"""The one interface every payment provider implements.

A provider creates a charge for a payment, verifies the notifications it sends, answers a
status query (notifications are never trusted on their own: the service re-asks), and
refunds. Statuses are mapped to one vocabulary: pending, paid, expired, failed, refunded.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import httpx
from django.conf import settings


class ProviderError(Exception):
    """The provider could not be reached or refused the call."""


class NotificationRejected(Exception):
    """A notification whose signature or token does not verify."""


@dataclass(frozen=True)
class ChargeInstructions:
    provider_reference: str
    qris: str = ""
    va_number: str = ""
    redirect_url: str = ""
    expires_at: str = ""


@dataclass(frozen=True)
class ProviderStatus:
    provider_reference: str
    merchant_reference: str
    status: str  # pending | paid | expired | failed | refunded
    amount: int
    raw: dict = field(default_factory=dict)


@dataclass(frozen=True)
class NotificationEvent:
    dedupe_key: str  # same event delivered twice has the same key
    provider_reference: str
    merchant_reference: str
    claimed_status: str


class PaymentProvider:
    identifier = ""
    timeout = 10.0

    def __init__(self, config: dict):
        self.config = config

    @property
    def base_url(self) -> str:
        return self.config["base_url"].rstrip("/")

    def _client(self) -> httpx.Client:
        """One pooled client per provider configuration: keep-alive connections, and the TLS
        context (tens of milliseconds to build) is made once, not per call."""
        key = (self.identifier, self.base_url, self.auth_key())
        with _CLIENTS_LOCK:
            client = _CLIENTS.get(key)
            if client is None:
                from spbe.core import outbound

                client = _CLIENTS[key] = outbound.client("levy", base_url=self.base_url, timeout=self.timeout,
                                                         auth=(self.auth_key(), ""))
        return client

    def auth_key(self) -> str:
        return self.config.get("server_key", "")

    def _call(self, method: str, path: str, **kwargs) -> dict:
        try:
            response = self._client().request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise ProviderError(f"{self.identifier} unreachable: {exc.__class__.__name__}") from exc
        try:
            data = response.json()
        except ValueError:
            data = {}
        if response.status_code >= 400:
            message = data.get("status_message") or data.get("message") or data.get("error") or response.reason_phrase
            raise ProviderError(f"{self.identifier} answered {response.status_code}: {message}")
        return data

    # --- the interface ---------------------------------------------------------------
    def create_charge(self, *, merchant_reference: str, amount: int, method: str, notify_url: str, return_url: str, email: str) -> ChargeInstructions:
        raise NotImplementedError

    def parse_notification(self, headers: dict, body: bytes) -> NotificationEvent:
        raise NotImplementedError

    def query_status(self, *, provider_reference: str, merchant_reference: str) -> ProviderStatus:
        raise NotImplementedError

    def refund(self, *, provider_reference: str, merchant_reference: str, amount: int, refund_key: str) -> str:
        """Returns the provider's refund reference; idempotent on refund_key."""
        raise NotImplementedError


_CLIENTS: dict[tuple, httpx.Client] = {}
_CLIENTS_LOCK = threading.Lock()
_REGISTRY: dict[str, type[PaymentProvider]] = {}


def register(cls: type[PaymentProvider]) -> type[PaymentProvider]:
    _REGISTRY[cls.identifier] = cls
    return cls


def known_providers() -> set[str]:
    from . import banksim, edc, midtrans, xendit  # noqa: F401  (registration)

    return set(_REGISTRY)


def get_provider(identifier: str | None = None) -> PaymentProvider:
    from . import banksim, edc, midtrans, xendit  # noqa: F401  (registration)

    identifier = identifier or settings.LEVY_PAYMENT_PROVIDER
    if identifier not in _REGISTRY:
        raise ProviderError(f"unknown payment provider {identifier!r}")
    return _REGISTRY[identifier](settings.LEVY_PROVIDERS.get(identifier, {}))
