from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EsignConfig(AppConfig):
    name = "spbe.esign"
    verbose_name = _("TTE e-signature")

    def ready(self):
        from spbe.core import workqueue

        from . import queues

        workqueue.register("esign", queues.tasks)  # "Tugas saya" on the console home
        from django.db.models import Q

        from spbe.core.demo import register_demo_loader
        from spbe.core.navigation import NavItem, register
        from spbe.core.permissions import register_access_rule
        from spbe.core.roles import Role, register_role_permissions

        from .demo import load_demo
        from .models import Document

        register_role_permissions({
            Role.AGENCY_STAFF: ["esign.add_document", "esign.view_document"],
            Role.AGENCY_ADMIN: ["esign.add_document", "esign.view_document", "esign.change_document", "esign.change_signerprofile"],
            Role.DOCUMENT_REVIEWER: ["esign.view_document", "esign.review_document"],
            Role.SIGNER: ["esign.view_document", "esign.sign_document"],
        })

        def assigned(user, perm):
            # Reviewers and signers named on a document may open it wherever it comes from.
            if perm == "esign.view_document":
                return Q(reviews__reviewer=user) | Q(signatures__signer=user)
            return None

        register_access_rule(Document, assigned)
        register(NavItem(_("Documents (TTE)"), "esign:document-list", "esign.view_document", _("E-signature")))
        register_demo_loader(load_demo)
        from spbe.core import portal

        portal.register(portal.PublicService(
            _("Document verification"),
            _("Check that an official document bearing an electronic signature (TTE) is authentic: scan its QR code or upload the PDF."),
            "esign:public-verify", _("Verify a document"), order=20))
