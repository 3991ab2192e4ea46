"""Demo data: the knowledge base built from the Love Bali FAQ and approved, the hand-off
topics, one draft waiting for approval (foreign QR apps through QRIS cross-border), a roster around the clock, canned replies,
and a few past conversations for the inbox and analytics."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from spbe.core.models import Institution, User

from .models import KnowledgeEntry


def load_demo() -> None:
    from . import services

    if Institution.objects.filter(code="pemprov-bali").first() is None or KnowledgeEntry.objects.exists():
        return
    services.import_site_faq()
    services.import_handoff_topics()
    approver = User.objects.filter(username="petugas.pungutan").first()
    for entry in KnowledgeEntry.objects.filter(status=KnowledgeEntry.Status.PENDING):
        services.approve_entry(entry, by=None)
        if approver:
            KnowledgeEntry.objects.filter(pk=entry.pk).update(approved_by=approver)
    services.import_drafts()  # waits for the Tourism Office: questions about it go to a person

    officers = list(User.objects.filter(username__in=["petugas.piket"]))
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    for officer in officers:
        for day in range(-1, 7):
            start = now.replace(hour=0) + timedelta(days=day)
            services.add_shift(officer, start, start + timedelta(hours=24), ["en", "id", "zh", "ko", "ja", "ru", "fr", "de"])
    canned = [
        ("Refund received", "en", "Thank you. I have recorded your refund request with the order code. A levy officer checks it within 2 working days and the refund goes back to the card or account you paid with."),
        ("Refund received", "id", "Terima kasih. Permintaan pengembalian dana Anda sudah saya catat dengan kode pesanannya. Petugas memeriksanya dalam 2 hari kerja dan dana kembali ke kartu atau rekening yang Anda pakai."),
        ("Ask order code", "en", "Could you send me your order code (it starts with LB) and the email address you used?"),
        ("Ask order code", "id", "Boleh kirimkan kode pesanan Anda (diawali LB) dan alamat email yang dipakai?"),
    ]
    for title, language, body in canned:
        services.save_canned_reply(title, language, body)


def load_demo_conversations() -> None:
    """A few past conversations for the inbox and analytics: answering them needs the index that a
    server builds at start, so `make run` loads them once the server is ready."""
    from . import services
    from .models import Conversation

    if not KnowledgeEntry.objects.exists() or Conversation.objects.exists():
        return
    samples = [("en", "How much is the levy?"), ("de", "Wie viel kostet die Abgabe?"), ("zh", "我想退款"),
               ("ko", "바우처를 잃어버렸어요"), ("en", "I paid twice, please help"), ("fr", "Quelle est la meilleure plage ?")]
    for language, text in samples:
        conversation = services.start_conversation(language=language)
        services.visitor_message(conversation, text)
