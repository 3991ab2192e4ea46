"""The Love Bali FAQ: the questions tourists ask, answered as the province publishes them.

The page ``/lovebali/faq/`` shows these, and the assistant builds its knowledge base from them
(through ``lovebali.services.faq_items``), so the site and the chatbot never disagree. Numbers
that follow a setting (tariff, validity, lead times) are filled in from the levy policy when the
item is rendered, never typed into the text.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class FaqItem:
    key: str
    question: str
    answer: str
    # Which page of this site the answer points to, if any (a URL name in the lovebali namespace).
    link: str = ""


FAQ: tuple[FaqItem, ...] = (
    FaqItem("amount", _("How much is the levy?"),
            _("The levy is Rp%(amount)s per person, paid once per visit. The amount is set by Bali Provincial Regulation (Perda) 6/2023.")),
    FaqItem("once_per_visit", _("Do I pay again if I leave Bali and come back?"),
            _("You pay once per visit to Indonesia. A trip from Bali to Lombok or the Gili islands and back is the same visit. If you leave Indonesia and come back, that is a new visit and you pay again.")),
    FaqItem("when_where", _("When and where can I pay?"),
            _("Pay online on this site before you travel: it is the quickest way through arrival. You can also pay at the levy counters at Bali's airport and seaports, or during your stay at a registered Love Bali Endpoint (hotel, travel agent or attraction)."), "pay"),
    FaqItem("how_to_pay", _("How do I pay the levy online?"),
            _("Choose \"Pay the levy\", enter each traveller's name, nationality, passport number and arrival date and one email address, then pay. One order can cover your whole family or group."), "pay"),
    FaqItem("payment_methods", _("Which payment methods are accepted?"),
            _("Payment is cashless only: QRIS, bank virtual account, or card (Visa, Mastercard, American Express, JCB).")),
    FaqItem("voucher", _("What proof do I get after paying?"),
            _("Each traveller gets a levy voucher with a QR code by email. Keep it on your phone or print it, and show it with your passport when an officer asks.")),
    FaqItem("who_pays", _("Who has to pay the levy?"),
            _("Every foreign tourist who enters Bali, directly from abroad or from another part of Indonesia. Indonesian citizens do not pay.")),
    FaqItem("exemptions", _("Who is exempt from the levy?"),
            _("Holders of diplomatic or official visas, transport crew, KITAS or KITAP holders, holders of family-unification or student visas, golden visa holders and some other visa holders. The first five groups show their document to the officer; golden visa and other visa holders apply online before arrival."), "exemption"),
    FaqItem("kitas", _("I have a KITAS or KITAP. Do I have to pay?"),
            _("No. KITAS and KITAP holders are exempt. Show your card to the officer when asked; you do not need to apply.")),
    FaqItem("exemption_apply", _("How do I apply for an exemption?"),
            _("Golden visa and other eligible visa holders apply on the exemption page of this site with their passport and visa documents, at least %(lead_days)s days before arrival. An officer decides within %(decision_days)s working days and the exemption QR code is sent by email."), "exemption"),
    FaqItem("legal_basis", _("What is the legal basis of the levy?"),
            _("Law (UU) 15/2023 on the Province of Bali and Bali Provincial Regulation (Perda) 6/2023 on the levy for foreign tourists.")),
    FaqItem("cruise", _("Do cruise passengers pay the levy?"),
            _("Yes. Cruise passengers pay like other visitors, each on their own or as a group through a registered cruise agent using the Love Bali Endpoint.")),
    FaqItem("lost_voucher", _("I lost my voucher or did not receive the email. What can I do?"),
            _("Use \"Find my voucher\" on this site with your order code and the email address you used, and the vouchers are sent again to that address. You can also give the order code and email in the chat."), "find"),
    FaqItem("voucher_status", _("How can I check that my payment went through and my voucher is valid?"),
            _("Open the link in your order email, or give your order code and email in the chat to see the status. Anyone can check a voucher's QR code on the \"Check a voucher\" page."), "verify"),
    FaqItem("official_site", _("Which websites may collect the levy? Is this site genuine?"),
            _("Only the official Love Bali site %(domain)s and registered Love Bali Endpoints (hotels, agents, attractions) collect the levy. Use \"Is this collector registered?\" to check a business. Never pay through other websites or unknown QR stickers."), "endpoint-check"),
    FaqItem("not_visa", _("Is the levy the same as the visa on arrival?"),
            _("No. The levy is a Bali provincial levy, separate from your Indonesian visa or visa on arrival. You need both.")),
    FaqItem("endpoint", _("How can a hotel or travel agent become a Love Bali Endpoint?"),
            _("Register on the \"For hotels and agents\" page. After the Tourism Office approves the cooperation agreement (PKS), you receive API keys to collect the levy from guests and earn a commission of %(commission)s%% of each levy collected."), "endpoint-register"),
    FaqItem("validity", _("How long is my voucher valid?"),
            _("A voucher is valid from %(before)s days before the arrival date you entered until %(after)s days after it, for one visit.")),
    FaqItem("group", _("Can I pay for my family or group in one order?"),
            _("Yes. One order can cover up to %(max_travellers)s travellers, and each traveller gets their own voucher."), "pay"),
    FaqItem("data_needed", _("What information do I need to pay?"),
            _("For each traveller: full name as in the passport, nationality, passport number and arrival date, plus one email address for the vouchers. The voucher QR code does not contain the passport number.")),
    FaqItem("checked", _("Where is the voucher checked?"),
            _("Officers check vouchers at Bali's airport and seaports and at tourist attractions. Show the QR code together with your passport.")),
)
