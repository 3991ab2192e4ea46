"""Labels defined in the levy module that tourists see on Love Bali pages.

Listing them here puts them into the eight-language Love Bali catalogs (Django merges all
catalogs of a language, so the levy module's own lazy strings pick these translations up).
A test checks that every such label is translated in every tourist language.
"""

from django.utils.translation import gettext_noop

PUBLIC_LABELS = [
    # Order.Status
    gettext_noop("Awaiting payment"), gettext_noop("Paid"), gettext_noop("Expired"), gettext_noop("Canceled"),
    # Payment.Method
    gettext_noop("QRIS"), gettext_noop("Virtual account"), gettext_noop("Card"),
    # Endpoint.Kind
    gettext_noop("Hotel, villa or homestay"), gettext_noop("Travel agent"), gettext_noop("Cruise agent"),
    gettext_noop("Tourist attraction"), gettext_noop("Digital booking platform"),
    # Exemption categories that apply online
    gettext_noop("Golden visa"), gettext_noop("Other visa (e.g. business visa)"),
    # Voucher PDF and e-mails (rendered in the order's language)
    gettext_noop("Love Bali levy voucher"), gettext_noop("Exemption from the foreign tourist levy"),
    gettext_noop("Foreign tourist levy voucher"), gettext_noop("Reference"), gettext_noop("Name"), gettext_noop("Nationality"),
    gettext_noop("Valid from"), gettext_noop("Valid until"), gettext_noop("TEST VOUCHER (sandbox): not valid for travel"),
    gettext_noop("Show this QR code to the officer with your passport. Check it at %(url)s"),
    gettext_noop("Your Love Bali levy vouchers (%(code)s)"), gettext_noop("Your Love Bali exemption application %(code)s"),
    gettext_noop("Thank you for paying the Love Bali levy (order %(code)s)."),
    gettext_noop("Your vouchers are attached as a PDF. Show the QR code with your passport when an officer asks."),
    gettext_noop("valid until"), gettext_noop("Check a voucher at any time:"),
    gettext_noop("Pay only on the official Love Bali site. We never ask for payment by chat or e-mail."),
    gettext_noop("Your exemption application %(code)s has been decided."),
    gettext_noop("It was approved. Your exemption QR code is attached; show it with your passport when an officer asks."),
    gettext_noop("It was not approved. The officer's reason:"), gettext_noop("You can pay the levy on the Love Bali site."),
    # The language switch (core template)
    gettext_noop("Language"), gettext_noop("Change"),
]
