from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SecurityConfig(AppConfig):
    name = "spbe.security"
    verbose_name = _("Security")

    def ready(self):
        from spbe.core import workqueue

        from . import queues

        workqueue.register("security", queues.tasks)  # "Tugas saya" on the console home
        from spbe.core.demo import register_demo_loader

        from .demo import load_demo

        register_demo_loader(load_demo)
        from django.db.models import Q

        from spbe.core.navigation import NavItem, register
        from spbe.core.permissions import register_access_rule
        from spbe.core.roles import Role, register_role_permissions

        from .models import Report

        register_role_permissions({
            Role.SECURITY_TRIAGER: ["security.view_report", "security.triage_report", "security.publish_report",
                                    "security.view_scopeentry", "security.change_scopeentry", "security.view_assessment",
                                    "security.add_assessment", "security.assess_assessment", "security.view_securityalert",
                                    "security.change_wazuhagent"],
            Role.AGENCY_ADMIN: ["security.view_report", "security.fix_report", "security.view_scopeentry", "security.change_scopeentry",
                                "security.view_assessment", "security.add_assessment", "security.accept_risk",
                                "security.view_securityalert"],
            Role.AGENCY_STAFF: ["security.view_report", "security.fix_report", "security.view_assessment", "security.view_securityalert"],
        })

        def own_or_supervised(user, perm):
            # A researcher reads their own reports; a practicum supervisor those of their cohort.
            if perm == "security.view_report":
                return Q(researcher__user=user) | Q(researcher__cohort__supervisor=user)
            return None

        register_access_rule(Report, own_or_supervised)
        register(
            NavItem(_("Vulnerability reports"), "security:console-list", "security.view_report", _("Security")),
            NavItem(_("ITSA assessments"), "security:itsa-list", "security.view_assessment", _("Security")),
            NavItem(_("SOC (Wazuh)"), "security:soc", "security.view_securityalert", _("Security")),
        )
        from spbe.core import portal

        portal.register(portal.PublicService(
            _("Report a vulnerability"),
            _("Found a security weakness in a government system? Report it responsibly: students and the public earn points and a certificate."),
            "security:policy", _("Read the disclosure policy"), order=30,
            secondary=((_("Sign up as a researcher"), "security:signup"), (_("Send a report"), "security:report-new"))))
