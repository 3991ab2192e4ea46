"""Card terminals (EDC) at the airport and harbour counters.

The bank officer takes the card on the terminal and records its approval code; there is no
online gateway to query or to refund through, so refunds go out by manual transfer.
"""

from __future__ import annotations

from .base import PaymentProvider, ProviderError, register


@register
class EdcProvider(PaymentProvider):
    identifier = "edc"

    def create_charge(self, **kwargs):
        raise ProviderError("EDC payments are recorded at the counter, not created online")

    def parse_notification(self, headers, body):
        raise ProviderError("EDC terminals send no notifications")

    def query_status(self, **kwargs):
        raise ProviderError("EDC payments cannot be queried online")

    def refund(self, **kwargs):
        raise ProviderError("card-present payments are refunded by bank transfer")
