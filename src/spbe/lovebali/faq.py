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
    # Where the answer comes from: the regulation or official page (a name, shown as written).
    source: str = ""
    source_url: str = ""


FAQ: tuple[FaqItem, ...] = (
    FaqItem("amount", _("How much is the levy?"),
            _("The levy is Rp%(amount)s per person, paid once per visit. The amount is set by Bali Provincial Regulation (Perda) 6/2023."),
            source="Perda Bali 6/2023", source_url="https://lovebali.baliprov.go.id/faq"),
    FaqItem("once_per_visit", _("Do I pay again if I leave Bali and come back?"),
            _("You pay once per visit to Indonesia. A trip from Bali to Lombok or the Gili islands and back is the same visit. If you leave Indonesia and come back, that is a new visit and you pay again."),
            source="Love Bali FAQ (official)", source_url="https://lovebali.baliprov.go.id/faq"),
    FaqItem("when_where", _("When and where can I pay?"),
            _("Pay online on this site before you travel: it is the quickest way through arrival. You can also pay at the levy counters at Bali's airport and seaports, or during your stay at a registered Love Bali Endpoint (hotel, travel agent or attraction)."), "pay",
            source="Pergub Bali 36/2023", source_url="https://news.republika.co.id/berita/s7pnwt425/"),
    FaqItem("how_to_pay", _("How do I pay the levy online?"),
            _("Choose \"Pay the levy\", enter each traveller's name, nationality, passport number and arrival date and one email address, then pay. One order can cover your whole family or group."), "pay",
            source="Pergub Bali 36/2023", source_url="https://news.republika.co.id/berita/s7pnwt425/"),
    FaqItem("payment_methods", _("Which payment methods are accepted?"),
            _("Payment is cashless only: QRIS, bank virtual account, or card (Visa, Mastercard, American Express, JCB)."),
            source="Perda Bali 2/2025 (cashless payment); Love Bali FAQ", source_url="https://lovebali.baliprov.go.id/faq"),
    FaqItem("voucher", _("What proof do I get after paying?"),
            _("Each traveller gets a levy voucher with a QR code by email. Keep it on your phone or print it, and show it with your passport when an officer asks."),
            source="Love Bali FAQ (official)", source_url="https://lovebali.baliprov.go.id/faq"),
    FaqItem("who_pays", _("Who has to pay the levy?"),
            _("Every foreign tourist who enters Bali, directly from abroad or from another part of Indonesia. Indonesian citizens do not pay."),
            source="Perda Bali 6/2023", source_url="https://lovebali.baliprov.go.id/faq"),
    FaqItem("exemptions", _("Who is exempt from the levy?"),
            _("Holders of diplomatic or official visas, transport crew, KITAS or KITAP holders, holders of family-unification or student visas, golden visa holders and some other visa holders. The first five groups show their document to the officer; golden visa and other visa holders apply online before arrival."), "exemption",
            source="Perda Bali 6/2023", source_url="https://lovebali.baliprov.go.id/faq"),
    FaqItem("kitas", _("I have a KITAS or KITAP. Do I have to pay?"),
            _("No. KITAS and KITAP holders are exempt. Show your card to the officer when asked; you do not need to apply."),
            source="Perda Bali 6/2023", source_url="https://lovebali.baliprov.go.id/faq"),
    FaqItem("exemption_apply", _("How do I apply for an exemption?"),
            _("Golden visa and other eligible visa holders apply on the exemption page of this site with their passport and visa documents, at least %(lead_days)s days before arrival. An officer decides within %(decision_days)s working days and the exemption QR code is sent by email."), "exemption",
            source="Pergub Bali 36/2023", source_url="https://news.republika.co.id/berita/s7pnwt425/"),
    FaqItem("legal_basis", _("What is the legal basis of the levy?"),
            _("Law (UU) 15/2023 on the Province of Bali and Bali Provincial Regulation (Perda) 6/2023 on the levy for foreign tourists."),
            source="UU 15/2023; Perda Bali 6/2023", source_url="https://lovebali.baliprov.go.id/faq"),
    FaqItem("cruise", _("Do cruise passengers pay the levy?"),
            _("Yes. Cruise passengers pay like other visitors, each on their own or as a group through a registered cruise agent using the Love Bali Endpoint."),
            source="Love Bali FAQ (official)", source_url="https://lovebali.baliprov.go.id/faq"),
    FaqItem("lost_voucher", _("I lost my voucher or did not receive the email. What can I do?"),
            _("Use \"Find my voucher\" on this site with your order code and the email address you used, and the vouchers are sent again to that address. You can also give the order code and email in the chat."), "find",
            source="Love Bali FAQ (official)", source_url="https://lovebali.baliprov.go.id/faq"),
    FaqItem("voucher_status", _("How can I check that my payment went through and my voucher is valid?"),
            _("Open the link in your order email, or give your order code and email in the chat to see the status. Anyone can check a voucher's QR code on the \"Check a voucher\" page."), "verify",
            source="Love Bali FAQ (official)", source_url="https://lovebali.baliprov.go.id/faq"),
    FaqItem("official_site", _("Which websites may collect the levy? Is this site genuine?"),
            _("Only the official Love Bali site %(domain)s and registered Love Bali Endpoints (hotels, agents, attractions) collect the levy. Use \"Is this collector registered?\" to check a business. Never pay through other websites or unknown QR stickers."), "endpoint-check",
            source="Pergub Bali 25/2025 (registered endpoints)", source_url="https://persindonesia.com/?p=224188"),
    FaqItem("not_visa", _("Is the levy the same as the visa on arrival?"),
            _("No. The levy is a Bali provincial levy, separate from your Indonesian visa or visa on arrival. You need both."),
            source="Perda Bali 6/2023", source_url="https://lovebali.baliprov.go.id/faq"),
    FaqItem("endpoint", _("How can a hotel or travel agent become a Love Bali Endpoint?"),
            _("Register on the \"For hotels and agents\" page. After the Tourism Office approves the cooperation agreement (PKS), you receive API keys to collect the levy from guests and earn a commission of %(commission)s%% of each levy collected."), "endpoint-register",
            source="Perda Bali 2/2025; Pergub Bali 25/2025", source_url="https://persindonesia.com/?p=224188"),
    FaqItem("validity", _("How long is my voucher valid?"),
            _("A voucher is valid from %(before)s days before the arrival date you entered until %(after)s days after it, for one visit."),
            source="Love Bali levy policy (this site)"),
    FaqItem("group", _("Can I pay for my family or group in one order?"),
            _("Yes. One order can cover up to %(max_travellers)s travellers, and each traveller gets their own voucher."), "pay",
            source="Love Bali levy policy (this site)"),
    FaqItem("data_needed", _("What information do I need to pay?"),
            _("For each traveller: full name as in the passport, nationality, passport number and arrival date, plus one email address for the vouchers. The voucher QR code does not contain the passport number."),
            source="Pergub Bali 36/2023", source_url="https://news.republika.co.id/berita/s7pnwt425/"),
    FaqItem("checked", _("Where is the voucher checked?"),
            _("Officers check vouchers at Bali's airport and seaports and at tourist attractions. Show the QR code together with your passport."),
            source="Pergub Bali 36/2023", source_url="https://news.republika.co.id/berita/s7pnwt425/"),
    FaqItem("money_use", _("What is the levy money used for?"),
            _("The levy protects Bali's customs, traditions, arts and local wisdom, restores and cares for the culture and nature that visitors come for, and improves tourism services and their administration. Perda 2/2025 added destinations, the tourism industry, marketing and the cost of running the levy."),
            source="Perda Bali 6/2023; Perda Bali 2/2025, Art. 10A", source_url="https://tirto.id/dprd-provinsi-bali-sahkan-revisi-perda-pungutan-wisatawan-asing-hazx"),
    FaqItem("sanctions", _("What happens if I do not pay the levy?"),
            _("Tourists who do not pay face administrative sanctions under Perda 2/2025, from a warning up to restricted access to tourism services; under the Governor's circular SE 7/2025, attractions may refuse service to non-payers, and officers at attractions ask them to pay on the spot. The levy rules set no fines and no deportation: immigration matters are decided by the immigration office."), "pay",
            source="Perda Bali 2/2025, Arts. 13A–13B; SE Gubernur Bali 7/2025", source_url="https://bali.tribunnews.com/2025/03/25/gubernur-bali-terbitkan-se-aturan-khusus-wisatawan-asing-sanksi-tak-dapat-boarding-pass?page=all"),
    FaqItem("airline_checks", _("Will the airline check my levy at check-in?"),
            _("Airlines do not collect or check the levy. The province has discussed checks at airline check-in, including refusing a boarding pass, but no such rule has been announced as in force. Officers check vouchers in Bali, at the airport, seaports and attractions; paying online before you fly is still the quickest way through arrival."),
            source="SE Gubernur Bali 7/2025 (proposal only)", source_url="https://bali.tribunnews.com/2025/03/25/gubernur-bali-terbitkan-se-aturan-khusus-wisatawan-asing-sanksi-tak-dapat-boarding-pass?page=all"),
    FaqItem("card_fee", _("Is there a surcharge for paying by card?"),
            _("No. You pay exactly Rp%(amount)s per traveller on this site, whichever payment method you choose; no surcharge or service fee is added. Your own bank may charge its usual fee for a card payment in rupiah."), "pay",
            source="Perda Bali 6/2023 (Rp150,000 per person)", source_url="https://lovebali.baliprov.go.id/faq"),
    FaqItem("email_rejected", _("The site does not accept my email address. What can I do?"),
            _("Type the whole address, such as name@example.com, with no spaces and no full stop at the end. If the address is right and is still refused, or the vouchers do not arrive there, use another address you can open on your phone: the vouchers go only to the address in the order."), "pay",
            source="Love Bali FAQ", source_url="https://lovebali.baliprov.go.id/faq"),
    FaqItem("site_down", _("The website or app is not working. How else can I pay?"),
            _("Wait a few minutes and try again, or use another browser or network. You can also pay at the levy counters at Bali's airport and seaports, or at a registered Love Bali Endpoint (hotel, travel agent or attraction). If money left your account but you got no voucher, write your order code in the chat and an officer will check."), "pay",
            source="Pergub Bali 36/2023 (counters at the airport and Benoa)", source_url="https://news.republika.co.id/berita/s7pnwt425/"),
    FaqItem("discounts", _("Are there discounts on the levy?"),
            _("No. The levy is the same Rp%(amount)s for every foreign tourist: there are no discounts for students, seniors, groups, repeat visitors or long stays. Only the exempt groups, such as KITAS or KITAP holders and transport crew, do not pay."), "exemption",
            source="Perda Bali 6/2023 (one tariff; exempt groups)", source_url="https://indonesiaexpat.id/news/rp150000-foreign-tourist-levy-imposed-to-enter-bali-per-2024/"),
    FaqItem("children", _("Do children pay the levy too?"),
            _("Yes. The exempt groups in the regulation include no age group, so children and babies who travel as foreign tourists pay the levy like adults. Add each child as a traveller in the same order; each gets their own voucher."), "pay",
            source="Perda Bali 6/2023 (exempt groups: none by age)", source_url="https://lovebali.baliprov.go.id/faq"),
    FaqItem("transit", _("I am only transiting through Bali airport. Do I pay?"),
            _("If you stay in the international transit area and do not pass immigration, you have not entered Bali and do not pay. If you pass immigration, even for one night near the airport, you pay the levy once for that visit."),
            source="Perda Bali 6/2023 (foreign tourists who enter Bali)", source_url="https://lovebali.baliprov.go.id/faq"),
    FaqItem("airport_counter", _("Where is the levy counter at the airport?"),
            _("At Ngurah Rai International Airport the levy counter, run by Bank BPD Bali, is in the international arrival hall near customer service; Benoa port has one too. The counters take cards. Paying online before you fly saves queueing."),
            source="Pergub Bali 36/2023 (bank counter at the airport and Benoa)", source_url="https://bali.jpnn.com/destinasi/26200/pungutan-wisman-ke-bali-resmi-berlaku-6-hari-terkumpul-rp-22-miliar"),
    FaqItem("all_indonesia", _("Is the levy part of the All Indonesia arrival card?"),
            _("No. The All Indonesia arrival card, the free declaration for immigration, customs and health, is a separate form and does not collect the Bali levy. Fill it in as immigration asks, and pay the levy on this site."), "pay",
            source="All Indonesia arrival card (Imigrasi, from 1 Sep 2025)", source_url="https://www.thetraveler.org/new-entry-rules-for-bali-one-card-to-rule-them-all-and-a-14-dollars-fee"),
)
