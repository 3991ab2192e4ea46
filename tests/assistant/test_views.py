"""Console pages and the Love Bali chat widget (server-rendered, HTMX)."""

from django.test import Client

from spbe.assistant import services
from spbe.assistant.models import Conversation, KnowledgeEntry, Suggestion
from tests.conftest import login


def test_chat_widget_answers_in_the_page_language_and_hands_off(kb, on_shift):
    client = Client()
    home = client.get("/lovebali/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "有问题？与我们聊天" in home.content.decode()
    response = client.post("/lovebali/chat/send/", {"text": "旅游税多少钱？"}, HTTP_ACCEPT_LANGUAGE="zh-hans", HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert "印尼盾" in page and 'id="chat-panel"' in page and "<html" not in page  # a fragment for HTMX
    response = client.post("/lovebali/chat/human/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    conversation = Conversation.objects.get()
    assert conversation.status == Conversation.Status.WAITING and conversation.language == "zh"
    assert 'hx-trigger="every 4s"' in response.content.decode()  # polls for the officer's reply


def test_chat_end_and_rate(kb):
    client = Client()
    client.post("/lovebali/chat/send/", {"text": "How much is the levy?"})
    client.post("/lovebali/chat/end/")
    response = client.post("/lovebali/chat/rate/", {"score": "4"})
    assert Conversation.objects.get().csat == 4 and "Thank you for your feedback" in response.content.decode()
    client.post("/lovebali/chat/new/")
    assert "chat-rate" not in client.get("/lovebali/chat/").content.decode()


def test_chat_send_refuses_empty_messages_and_is_rate_limited(kb):
    client = Client()
    response = client.post("/lovebali/chat/send/", {"text": ""}, HTTP_ACCEPT_LANGUAGE="en")
    assert "The message is empty." in response.content.decode()
    statuses = [client.post("/lovebali/chat/send/", {"text": "hi"}, HTTP_ACCEPT_LANGUAGE="en").content.decode() for _ in range(21)]
    assert "Too many requests" in statuses[-1]


def test_duty_officer_answers_from_the_inbox(kb, on_shift):
    conversation = services.start_conversation(language="en")
    services.visitor_message(conversation, "I paid twice for my wife")
    duty = login(kb.duty)
    inbox = duty.get("/console/assistant/").content.decode()
    assert f"#{conversation.pk}" in inbox and "Kasus untuk petugas: Tertagih dua kali" in inbox and "bot:topic" not in inbox
    page = duty.get(f"/console/assistant/conversations/{conversation.pk}/").content.decode()
    assert "I paid twice for my wife" in page and "double_payment" in page
    duty.post(f"/console/assistant/conversations/{conversation.pk}/", {"action": "reply", "body": "Please send the order code."})
    transcript = duty.get(f"/console/assistant/conversations/{conversation.pk}/transcript.txt")
    assert transcript["Content-Type"].startswith("text/plain") and "Please send the order code." in transcript.content.decode()
    duty.post(f"/console/assistant/conversations/{conversation.pk}/", {"action": "resolve"})
    conversation.refresh_from_db()
    assert conversation.status == Conversation.Status.RESOLVED and conversation.first_human_reply_at


def test_console_pages_and_permissions(kb, on_shift):
    officer = login(kb.officer)
    for url in ["/console/assistant/", "/console/assistant/knowledge/", "/console/assistant/suggestions/",
                "/console/assistant/roster/", "/console/assistant/channels/", "/console/assistant/analytics/"]:
        assert officer.get(url).status_code == 200, url
    duty = login(kb.duty)
    assert duty.get("/console/assistant/knowledge/").status_code == 200
    assert duty.get("/console/assistant/analytics/").status_code == 403
    assert duty.get("/console/assistant/channels/").status_code == 403
    staff = login(kb.world.users["staff_a"])
    assert staff.get("/console/assistant/").status_code == 403
    conversation = services.start_conversation()
    assert staff.get(f"/console/assistant/conversations/{conversation.pk}/").status_code == 404


def test_knowledge_base_approval_in_the_console(kb):
    entry, _ = services.upsert_entry("office", {"en": {"question": "Where is the levy office?", "paraphrases": [], "keywords": "",
                                                       "answer": "At the Tourism Office in Renon."}},
                                     kind=KnowledgeEntry.Kind.ANSWER, source=KnowledgeEntry.Source.STAFF)
    duty = login(kb.duty)
    duty.post(f"/console/assistant/knowledge/{entry.pk}/", {"action": "approve"})
    entry.refresh_from_db()
    assert entry.status == KnowledgeEntry.Status.PENDING  # duty officers cannot approve
    officer = login(kb.officer)
    page = officer.get(f"/console/assistant/knowledge/{entry.pk}/").content.decode()
    assert 'data-testid="approve"' in page
    officer.post(f"/console/assistant/knowledge/{entry.pk}/", {"action": "approve"})
    entry.refresh_from_db()
    assert entry.status == KnowledgeEntry.Status.APPROVED and entry.approved_by == kb.officer
    response = officer.post(f"/console/assistant/knowledge/{entry.pk}/", {"action": "edit", "language": "id", "question": "Di mana kantornya?",
                                                                          "paraphrases": "", "keywords": "", "answer": ""})
    assert "Jawaban" in response.content.decode() or response.status_code == 302  # empty answer refused with a message
    assert KnowledgeEntry.objects.filter(key="office").count() == 1


def test_suggestion_review_and_roster_in_the_console(kb, on_shift):
    conversation = services.start_conversation()
    services.visitor_message(conversation, "Can I get the levy receipt as an invoice for my company?")
    services.request_human(conversation)
    services.officer_reply(conversation, "Yes, ask us with your order code and company name.", by=kb.duty)
    services.resolve(conversation, by=kb.duty)
    suggestion = services.mine_conversation(conversation.pk)
    officer = login(kb.officer)
    assert "invoice for my company" in officer.get("/console/assistant/suggestions/").content.decode()
    officer.post("/console/assistant/suggestions/", {"suggestion": suggestion.pk, "action": "create", "key": "company_invoice",
                                                     "question": suggestion.question, "answer": suggestion.answer})
    suggestion.refresh_from_db()
    assert suggestion.status == Suggestion.Status.CREATED and suggestion.result_entry.key == "company_invoice"
    response = officer.post("/console/assistant/roster/", {"action": "add", "officer": kb.duty.pk, "starts_at": "2030-01-01T08:00",
                                                           "ends_at": "2030-01-01T07:00", "languages": ["en"]}, follow=True)
    assert "Shift harus berakhir setelah dimulai." in response.content.decode()  # the console speaks Indonesian by default
    officer.post("/console/assistant/roster/", {"action": "canned", "title": "Greeting", "language": "en", "body": "Hello!"})
    assert "Greeting" in officer.get("/console/assistant/roster/").content.decode()
    response = officer.post("/console/assistant/channels/", {"slug": "qontak", "name": "Qontak", "callback_url": "https://example.com/cb"})
    assert 'data-testid="channel-secret"' in response.content.decode()


def test_this_did_not_help_hands_off_and_feeds_the_next_calibration(kb, on_shift):
    from spbe.assistant import calibration, knowledge
    from spbe.assistant.models import Message

    client = Client()
    page = client.post("/lovebali/chat/send/", {"text": "How much is the levy?"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "This didn&#x27;t help" in page or "This didn't help" in page
    answer = Message.objects.get(decision=Message.Decision.ANSWER)
    other = services.start_conversation()
    assert client.post("/lovebali/chat/not-helpful/", {"message": str(other.pk + 999)}).status_code == 200
    assert Message.objects.get(pk=answer.pk).helpful is None  # not a message of this chat: nothing happens
    page = client.post("/lovebali/chat/not-helpful/", {"message": str(answer.pk)}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    conversation = Conversation.objects.get(pk=answer.conversation_id)
    assert conversation.status == Conversation.Status.WAITING and conversation.handoff_reason == "bot:not_helpful"
    assert Message.objects.get(pk=answer.pk).helpful is False and "This didn" not in page  # asked once, then gone
    assert conversation.events.filter(kind="not_helpful", data__entry="amount").exists()
    # The question and the entry that answered it become a sample that only counts if that entry wins again.
    assert knowledge.not_helpful_questions() == [("How much is the levy?", "en", "amount")]
    live = knowledge.current()
    samples = calibration.samples(live.index, live.entries, [], knowledge.not_helpful_questions())
    feedback = [s for s in samples if s.only_if_top]
    assert len(feedback) == 1 and feedback[0].answers == frozenset() and feedback[0].weight == calibration.NOT_HELPFUL_WEIGHT
    assert [live.entries[p].key for p in feedback[0].only_if_top] == ["amount"]


def test_a_group_of_unanswered_questions_becomes_a_suggestion_in_one_click(kb, on_shift):
    conversation = services.start_conversation(language="en")
    services.visitor_message(conversation, "Can I bring my drone to Bali?")
    services.visitor_message(conversation, "drone permit Bali airport?")
    officer = login(kb.officer)
    page = officer.get("/console/assistant/analytics/").content.decode()
    assert 'data-testid="draft-entry"' in page
    response = officer.post("/console/assistant/analytics/", {"question": "Can I bring my drone to Bali? me@example.com", "language": "en"})
    assert response.status_code == 302 and response["Location"].endswith("/console/assistant/suggestions/")
    suggestion = Suggestion.objects.get(conversation=None)
    assert suggestion.question == "Can I bring my drone to Bali? [email]" and suggestion.language == "en"  # personal data masked
    officer.post("/console/assistant/analytics/", {"question": "Can I bring my drone to Bali? me@example.com", "language": "en"})
    assert Suggestion.objects.filter(conversation=None).count() == 1  # a second click drafts nothing new
    assert "Bahasa tidak didukung" in officer.post("/console/assistant/analytics/", {"question": "x", "language": "tlh"}, follow=True).content.decode()
    assert login(kb.duty).post("/console/assistant/analytics/", {"question": "x", "language": "en"}).status_code == 403


def test_every_faq_answer_names_its_source_in_the_page_language(kb):
    from spbe.lovebali.faq import FAQ

    page = Client().get("/lovebali/faq/", HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert page.count("出典：") == len(FAQ) and "Perda Bali 2/2025, Art. 10A" in page
    assert "観光税のお金は何に使われますか？" in page and all(item.source for item in FAQ)
