"""E-signature work for "Tugas saya": documents waiting for this user's paraf or signature, and
drafts returned to them."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from spbe.core.workqueue import Task

from . import services
from .models import Document, ReviewStep, SignatureStep

GROUP = _("E-signature")


def tasks(user) -> list[Task]:
    mine = reverse("esign:document-list") + "?mine=1"
    # Only documents where it is this user's turn (the first waiting step is theirs).
    in_review = Document.objects.filter(status=Document.Status.IN_REVIEW, reviews__reviewer=user,
                                        reviews__status=ReviewStep.Status.WAITING).distinct()
    signing = Document.objects.filter(status=Document.Status.SIGNING, signatures__signer=user,
                                      signatures__status=SignatureStep.Status.WAITING).distinct()
    returned = Document.objects.filter(drafter=user, status=Document.Status.RETURNED).count()
    return [
        Task(_("Documents waiting for your paraf"), sum(services.is_my_paraf_turn(d, user) for d in in_review), mine, GROUP),
        Task(_("Documents waiting for your signature"), sum(services.is_my_turn(d, user) for d in signing), mine, GROUP),
        Task(_("Drafts returned to you for changes"), returned, reverse("esign:document-list") + "?status=returned", GROUP),
    ]
