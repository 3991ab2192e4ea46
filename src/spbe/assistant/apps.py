from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistantConfig(AppConfig):
    name = "spbe.assistant"
    verbose_name = _("Love Bali assistant")

    def ready(self):
        from spbe.core import workqueue

        from . import queues

        workqueue.register("assistant", queues.tasks)  # "Tugas saya" on the console home
        from spbe.core.demo import register_demo_loader
        from spbe.core.navigation import NavItem, register
        from spbe.core.roles import Role, register_role_permissions

        from .demo import load_demo, load_demo_conversations

        duty = ["assistant.view_conversation", "assistant.reply_conversation", "assistant.view_knowledgeentry",
                "assistant.view_suggestion", "assistant.view_cannedreply", "assistant.view_dutyshift"]
        register_role_permissions({
            # Duty officers (piket) answer hand-offs; Dinas Pariwisata levy officers also run the
            # knowledge base, the roster, canned replies and channels.
            Role.DUTY_OFFICER: duty,
            Role.LEVY_OFFICER: duty + [
                "assistant.add_knowledgeentry", "assistant.approve_knowledgeentry", "assistant.add_dutyshift",
                "assistant.delete_dutyshift", "assistant.add_cannedreply", "assistant.delete_cannedreply",
                "assistant.view_channel", "assistant.add_channel", "assistant.view_analytics",
            ],
        })
        register(
            NavItem(_("Chat inbox"), "assistant:inbox", "assistant.reply_conversation", _("Love Bali assistant")),
            NavItem(_("Knowledge base"), "assistant:kb-list", "assistant.view_knowledgeentry", _("Love Bali assistant")),
            NavItem(_("Suggestions"), "assistant:suggestions", "assistant.view_suggestion", _("Love Bali assistant")),
            NavItem(_("Duty roster"), "assistant:roster", "assistant.view_dutyshift", _("Love Bali assistant")),
            NavItem(_("Chat channels"), "assistant:channels", "assistant.view_channel", _("Love Bali assistant")),
            NavItem(_("Assistant analytics"), "assistant:analytics", "assistant.view_analytics", _("Love Bali assistant")),
        )
        register_demo_loader(load_demo)
        register_demo_loader(load_demo_conversations, after_warmup=True)
        from spbe.core.health import register_warmup

        register_warmup("assistant", warm_up)


def warm_up() -> None:
    """Build the knowledge index and load the embedding model, language identifier and Chinese
    segmenter, so the first tourist's answer takes milliseconds, not a minute."""
    from .answering import ask

    for question, language in (("How much is the tourist levy?", "en"), ("旅游征费是多少？", "zh-hans")):
        ask(question, language, allow_generation=False)
