"""Payment providers behind one interface (see ``base.PaymentProvider``)."""

from .base import ChargeInstructions, NotificationRejected, PaymentProvider, ProviderError, ProviderStatus, get_provider

__all__ = ["ChargeInstructions", "NotificationRejected", "PaymentProvider", "ProviderError", "ProviderStatus", "get_provider"]
