"""A tourist chats in Chinese on the Love Bali site, asks for a person; the duty officer answers
from the console inbox and the tourist sees the reply without reloading."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from spbe.assistant import knowledge, services
from spbe.assistant.models import KnowledgeEntry
from spbe.core.roles import Role

from ..conftest import make_user
from .conftest import browser_login


@pytest.fixture
def assistant_site(live_server, settings, world):
    settings.LEVY_INSTITUTION_CODE = world.province.code
    from spbe.levy import services as levy

    levy.clear_caches()
    knowledge.forget()
    services.import_site_faq()
    services.import_handoff_topics()
    for entry in KnowledgeEntry.objects.filter(status=KnowledgeEntry.Status.PENDING):
        services.approve_entry(entry)
    knowledge.current()  # build the index (embeddings of every phrasing) before the browser asks
    duty = make_user("piket", world.agency_a, Role.DUTY_OFFICER)
    now = timezone.now()
    services.add_shift(duty, now - timedelta(hours=1), now + timedelta(hours=8), ["zh", "en"])
    yield duty
    knowledge.forget()


@pytest.mark.django_db(transaction=True)
def test_tourist_chat_handoff_and_officer_reply(live_server, browser, assistant_site, page):
    tourist = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    chat = tourist.new_page()
    chat.set_default_timeout(15000)
    chat.goto(f"{live_server.url}/lovebali/")
    chat.get_by_text("有问题？与我们聊天").click()
    chat.fill("#chat-text", "旅游税多少钱？")
    chat.get_by_role("button", name="发送").click()
    expect(chat.get_by_test_id("chat-panel")).to_contain_text("印尼盾")
    chat.get_by_test_id("chat-human").click()
    expect(chat.get_by_test_id("chat-panel")).to_contain_text("值班人员")

    browser_login(page, live_server.url, "piket", "/console/assistant/")
    page.locator("[data-testid=inbox] a").first.click()
    expect(page.get_by_test_id("transcript")).to_contain_text("旅游税多少钱")
    page.fill("#reply-body", "您好，我是值班人员，请问还有什么问题？")
    page.get_by_role("button", name="Kirim").click()

    expect(chat.get_by_test_id("chat-panel")).to_contain_text("我是值班人员", timeout=20000)  # arrives by polling
    page.get_by_test_id("resolve").click()
    tourist.close()
