"""What the public Love Bali site offers other modules: its FAQ, rendered in any language.

The assistant builds its knowledge base from here, so the chatbot answers with exactly the text
the site shows, numbers included (they come from the levy policy, not from the translations).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import number_format

from spbe.levy import services as levy

from .faq import FAQ

# Assistant language code → Django language code of the site.
SITE_LANGUAGES = {"en": "en", "id": "id", "zh": "zh-hans", "ko": "ko", "ja": "ja", "ru": "ru", "fr": "fr", "de": "de"}


def faq_values(day=None) -> dict:
    day = day or timezone.localdate()
    commission = (Decimal(str(settings.LEVY_ENDPOINT_COMMISSION)) * 100).normalize()
    return {
        "amount": number_format(levy.policy.tariff_on(day), force_grouping=True),
        "lead_days": settings.LEVY_EXEMPTION_LEAD_DAYS,
        "decision_days": settings.LEVY_EXEMPTION_DECISION_DAYS,
        "domain": settings.LOVEBALI_PUBLIC_DOMAIN,
        "commission": f"{commission:f}",
        "before": settings.LEVY_VOUCHER_GRACE_DAYS_BEFORE,
        "after": settings.LEVY_VOUCHER_VALID_DAYS,
        "max_travellers": settings.LEVY_MAX_TRAVELLERS_PER_ORDER,
    }


def faq_items(language: str, day=None) -> list[dict]:
    """The FAQ in ``language`` (assistant code): key, question, answer, page URL, link URL."""
    with translation.override(SITE_LANGUAGES.get(language, "en")):
        values = faq_values(day)
        page = reverse("lovebali:faq")
        return [
            {
                "key": item.key,
                "question": str(item.question),
                "answer": str(item.answer) % values,
                "url": f"{page}#{item.key}",
                "link": reverse(f"lovebali:{item.link}") if item.link else "",
                "source": item.source,
                "source_url": item.source_url,
            }
            for item in FAQ
        ]
