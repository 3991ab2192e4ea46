"""E-signature work for "Tugas saya": documents waiting for this user's paraf or signature, and
drafts returned to them."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from spbe.core.workqueue import Task

from .models import Document, ReviewStep, SignatureStep

GROUP = _("E-signature")


def tasks(user) -> list[Task]:
    mine = reverse("esign:document-list") + "?mine=1"
    # Only the step whose turn it is: the first waiting one of its document.
    reviews = [step for step in ReviewStep.objects.filter(reviewer=user, status=ReviewStep.Status.WAITING,
                                                           document__status=Document.Status.IN_REVIEW).select_related("document")
               if not step.document.reviews.filter(status=ReviewStep.Status.WAITING, position__lt=step.position).exists()]
    signatures = [step for step in SignatureStep.objects.filter(signer=user, status=SignatureStep.Status.WAITING,
                                                                 document__status=Document.Status.SIGNING).select_related("document")
                  if not step.document.signatures.filter(status=SignatureStep.Status.WAITING, position__lt=step.position).exists()]
    returned = Document.objects.filter(drafter=user, status=Document.Status.RETURNED).count()
    return [
        Task(_("Documents waiting for your paraf"), len(reviews), mine, GROUP),
        Task(_("Documents waiting for your signature"), len(signatures), mine, GROUP),
        Task(_("Drafts returned to you for changes"), returned, reverse("esign:document-list") + "?status=returned", GROUP),
    ]
