"""Tourist-facing wording of levy service errors, keyed by ServiceError.code.

The levy services phrase errors for staff (Indonesian and English); tourists get these,
translated into all eight Love Bali languages.
"""

from django.conf import settings
from django.utils.translation import gettext_lazy as _

PUBLIC_MESSAGES = {
    "no_travellers": _("Add at least one traveller."),
    "too_many_travellers": _("One order can hold at most %(n)s travellers."),
    "bad_name": _("Enter each name as written in the passport."),
    "bad_nationality": _("Choose the nationality shown in the passport."),
    "bad_passport": _("A passport number has 5 to 15 letters and digits."),
    "bad_arrival": _("Check the arrival date: it may not be more than 60 days ago or more than a year ahead."),
    "duplicate_traveller": _("The same passport appears twice in this order."),
    "already_covered": _("Someone in this order already holds a valid voucher for this visit. Remove them and try again."),
    "already_paid": _("This order is already paid."),
    "order_expired": _("This order has expired; please start a new one."),
    "provider_unavailable": _("The payment service is not reachable right now. Please try again in a minute."),
    "bad_method": _("Choose a payment method."),
    "no_tariff": _("The levy is not in force on this date."),
    "too_late": _("Apply at least %(days)s days before arrival."),
    "bad_departure": _("The departure date must be after the arrival date."),
    "no_documents": _("Attach a copy of the passport and the visa."),
    "too_many_documents": _("Attach at most 5 files."),
    "bad_document": _("A file was refused: use PDF, JPEG or PNG up to 5 MB, without passwords."),
    "no_application_needed": _("Holders of this kind of visa do not apply: show the document to the officer."),
    "rate_limited": _("Too many requests. Please wait and try again."),
}


def public_message(error) -> str:
    message = PUBLIC_MESSAGES.get(getattr(error, "code", ""))
    if message is None:
        return getattr(error, "message", str(error))
    return str(message) % {"n": settings.LEVY_MAX_TRAVELLERS_PER_ORDER, "days": settings.LEVY_EXEMPTION_LEAD_DAYS}
