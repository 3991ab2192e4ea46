"""Console pages for documents (draft, paraf, sign) and the public verification pages."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from spbe.audit import services as audit
from spbe.core import permissions, ratelimit
from spbe.core.models import Agency, User
from spbe.core.services import ServiceError
from spbe.core.views import console_view, scoped_object_or_404

from . import services
from .models import Document, DocumentFile, DocumentType, SignatureStep
from .verify import MODIFICATION_NAMES, PROBLEMS


def _local_time(value: str | None):
    """An ISO time from the report as the reader's local (WITA) datetime."""
    from datetime import datetime

    from django.utils import timezone

    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return timezone.localtime(moment) if timezone.is_aware(moment) else moment


def _readable(report) -> list[dict]:
    """The report's signatures with their problem in the page's language and times in WITA."""
    rows = []
    for item in report.signatures:
        if item.problem_code == "modified":
            what = ", ".join(str(MODIFICATION_NAMES.get(m, m)) for m in item.modifications) or "?"
            problem = str(PROBLEMS["modified"]) % {"what": what}
        elif item.problem_code == "unreadable":
            problem = str(PROBLEMS["unreadable"]) % {"what": item.problem.rsplit(": ", 1)[-1].rstrip(".")}
        else:
            problem = str(PROBLEMS[item.problem_code]) if item.problem_code in PROBLEMS else item.problem
        rows.append({"item": item, "problem": problem, "when": _local_time(item.timestamp_time or item.signing_time),
                     "modifications": [str(MODIFICATION_NAMES.get(m, m)) for m in item.modifications]})
    return rows


def _documents(user):
    return permissions.scope_queryset(user, "esign.view_document", Document.objects.select_related("agency")).distinct()


def _users_with(perm: str, agency) -> list:
    users = User.objects.filter(memberships__is_active=True).distinct().order_by("username")
    return [u for u in users if permissions.has_perm(u, perm, agency)] if agency else []


class DocumentForm(forms.Form):
    agency = forms.ModelChoiceField(queryset=Agency.objects.none(), label=gettext_lazy("Agency"))
    title = forms.CharField(max_length=300, label=gettext_lazy("Title"))
    class_code = forms.CharField(max_length=20, label=gettext_lazy("Classification code"), initial="000.1")
    classification = forms.ChoiceField(choices=Document.Classification.choices, label=gettext_lazy("Security classification"))
    document_type = forms.ModelChoiceField(queryset=DocumentType.objects.none(), required=False,
                                           label=gettext_lazy("Document type"))
    level = forms.ChoiceField(choices=[("", gettext_lazy("As the document type says")), ("B-B", "PAdES B-B"),
                                       ("B-T", gettext_lazy("PAdES B-T (timestamp)")),
                                       ("B-LT", gettext_lazy("PAdES B-LT (long-term validation)")),
                                       ("B-LTA", gettext_lazy("PAdES B-LTA (archive timestamps)"))],
                              required=False, label=gettext_lazy("Signature level"))
    file = forms.FileField(label=gettext_lazy("Draft (PDF)"))
    reviewers = forms.CharField(required=False, label=gettext_lazy("Reviewers (paraf), in order: user names separated by commas"))
    signers = forms.CharField(label=gettext_lazy("Signers, in order: user names separated by commas"))
    method = forms.ChoiceField(choices=SignatureStep.Method.choices, label=gettext_lazy("Signing method"))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = permissions.scope_queryset(user, "esign.add_document", Agency.objects.all())
        self.fields["document_type"].queryset = DocumentType.objects.filter(
            is_active=True, institution__in=self.fields["agency"].queryset.values("institution"))
        for name, field in self.fields.items():
            field.widget.attrs["class"] = "form-select" if isinstance(field.widget, forms.Select) else "form-control"

    def _users(self, text: str, field: str) -> list:
        names = [n.strip() for n in (text or "").split(",") if n.strip()]
        users = {u.username: u for u in User.objects.filter(username__in=names)}
        missing = [n for n in names if n not in users]
        if missing:
            self.add_error(field, _("Unknown user names: %(names)s") % {"names": ", ".join(missing)})
        return [users[n] for n in names if n in users]

    def clean(self):
        data = super().clean()
        data["reviewer_users"] = self._users(data.get("reviewers", ""), "reviewers")
        data["signer_users"] = self._users(data.get("signers", ""), "signers")
        return data


@console_view
def document_list(request):
    permissions.require(request.user, "esign.view_document")
    qs = _documents(request.user)
    status = request.GET.get("status", "")
    if status:
        qs = qs.filter(status=status)
    mine = request.GET.get("mine")
    if mine:
        qs = qs.filter(Q(reviews__reviewer=request.user, reviews__status="waiting") | Q(signatures__signer=request.user,
                                                                                          signatures__status="waiting")).distinct()
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    waiting_bsre = [d.pk for d in qs.filter(status=Document.Status.SIGNING, signatures__signer=request.user,
                                            signatures__status="waiting", signatures__method="bsre").distinct()
                    if services.is_my_turn(d, request.user)]
    return render(request, "esign/document_list.html", {"page": page, "status": status, "statuses": Document.Status.choices,
                                                        "can_add": permissions.has_perm(request.user, "esign.add_document"),
                                                        "batch": waiting_bsre})


@console_view
@require_http_methods(["POST"])
def sign_batch(request):
    """Several documents with one BSrE passphrase (or one-time code)."""
    ids = [int(i) for i in request.POST.getlist("document") if i.isdigit()][:50]
    documents = list(_documents(request.user).filter(pk__in=ids))
    if not documents:
        messages.error(request, _("Choose at least one document."))
        return redirect("esign:document-list")
    try:
        done = services.sign_batch(documents, by=request.user, passphrase=request.POST.get("passphrase", ""),
                                   totp=request.POST.get("totp", ""))
    except ServiceError as exc:
        messages.error(request, exc.message)
    except PermissionDenied:
        messages.error(request, _("It is not your turn on this document."))
    else:
        if len(done) == len(documents):
            messages.success(request, _("%(count)s documents signed.") % {"count": len(done)})
        else:
            messages.warning(request, _("%(done)s of %(count)s documents signed; the others show why.")
                             % {"done": len(done), "count": len(documents)})
    return redirect("esign:document-list")


@console_view
@require_http_methods(["GET", "POST"])
def document_new(request):
    permissions.require(request.user, "esign.add_document")
    form = DocumentForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data["file"]
        try:
            document = services.create_document(
                agency=data["agency"], title=data["title"], class_code=data["class_code"], classification=data["classification"],
                file_name=upload.name, data=upload.read(), reviewers=data["reviewer_users"],
                signers_=[(u, data["method"]) for u in data["signer_users"]], level=data["level"],
                document_type=data["document_type"], by=request.user)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Draft saved. Submit it for paraf when ready."))
            return redirect("esign:document-detail", document_id=document.pk)
    return render(request, "esign/document_new.html", {"form": form})


@console_view
@require_http_methods(["GET", "POST"])
def document_detail(request, document_id: int):
    document = scoped_object_or_404(request.user, "esign.view_document", Document.objects.select_related("agency"), pk=document_id)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "submit":
                services.submit(document, request.user)
                messages.success(request, _("Submitted."))
            elif action in ("approve", "return"):
                services.paraf(document, by=request.user, approve=action == "approve", note=request.POST.get("note", ""))
                messages.success(request, _("Paraf recorded.") if action == "approve" else _("Returned to the drafter."))
            elif action == "sign":
                services.sign(document, by=request.user, passphrase=request.POST.get("passphrase", ""), totp=request.POST.get("totp", ""))
                messages.success(request, _("Signed."))
            elif action == "send_totp":
                services.request_bsre_totp(request.user)
                messages.success(request, _("BSrE has sent a one-time code to your registered phone or e-mail."))
            elif action == "withdraw":
                services.withdraw(document, by=request.user, reason=request.POST.get("reason", ""))
                messages.success(request, _("Withdrawn."))
            elif action == "replace" and request.FILES.get("file"):
                upload = request.FILES["file"]
                services.replace_draft(document, file_name=upload.name, data=upload.read(), by=request.user)
                messages.success(request, _("Draft replaced."))
            else:
                raise ServiceError(_("Unknown action."))
        except ServiceError as exc:
            messages.error(request, exc.message)
        except PermissionDenied:
            messages.error(request, _("It is not your turn on this document."))
        return redirect("esign:document-detail", document_id=document.pk)
    reviews = list(document.reviews.select_related("reviewer"))
    sigs = list(document.signatures.select_related("signer"))
    next_review = next((r for r in reviews if r.status == "waiting"), None) if document.status == "in_review" else None
    next_sig = next((s for s in sigs if s.status == "waiting"), None) if document.status == "signing" else None
    history = [(event, HISTORY_LABELS.get(event.action, _("Other change")))
               for event in audit.history("esign.document", document.pk)]
    my_signature = next_sig if next_sig and next_sig.signer_id == request.user.pk else None
    bsre_status = services.bsre_status(request.user) if my_signature and my_signature.method == "bsre" else None
    return render(request, "esign/document_detail.html", {
        "bsre_status": bsre_status,
        "document": document, "reviews": reviews, "signatures": sigs, "files": document.files.all(), "history": history,
        "my_review": next_review if next_review and next_review.reviewer_id == request.user.pk else None,
        "my_signature": my_signature,
        "is_drafter": document.drafter_id == request.user.pk, "verify_url": services.verify_url(document),
    })


HISTORY_LABELS = {
    "esign.document.created": gettext_lazy("Draft created"),
    "esign.document.draft_replaced": gettext_lazy("Draft replaced"),
    "esign.document.submitted": gettext_lazy("Submitted for paraf"),
    "esign.document.paraf": gettext_lazy("Paraf"),
    "esign.document.numbered": gettext_lazy("Numbered and stamped"),
    "esign.document.signed": gettext_lazy("Signed"),
    "esign.document.sign_failed": gettext_lazy("Signing failed"),
    "esign.document.completed": gettext_lazy("All signatures complete"),
    "esign.document.withdrawn": gettext_lazy("Withdrawn"),
    "esign.document.archive_timestamp_renewed": gettext_lazy("Archive timestamp renewed"),
}


@console_view
def document_file(request, document_id: int, file_id: int):
    document = scoped_object_or_404(request.user, "esign.view_document", Document.objects.all(), pk=document_id)
    record = document.files.filter(pk=file_id).first()
    if record is None:
        raise Http404
    response = FileResponse(record.file.open("rb"), content_type="application/pdf", as_attachment=True,
                            filename=f"{(document.number or 'draft').replace('/', '-')}-{record.kind}.pdf")
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- public ---------------------------------------------------------------------------


def public_record(request, token: str):
    found = services.lookup_token(token)
    if found is None:
        raise Http404
    document, record = found
    return render(request, "esign/public_record.html", {"document": document, "record": record,
                                                       "downloadable": document.classification == "biasa" and document.status == "signed"})


def public_download(request, token: str):
    found = services.lookup_token(token)
    if found is None or found[0].classification != "biasa" or found[0].status != "signed":
        raise Http404
    record = found[0].files.filter(kind=DocumentFile.Kind.SIGNED).order_by("-created_at", "-id").first()
    return FileResponse(record.file.open("rb"), content_type="application/pdf", as_attachment=True,
                        filename=f"{found[0].number.replace('/', '-')}.pdf")


@require_http_methods(["GET", "POST"])
def public_verify(request):
    report = record = None
    if request.method == "POST":
        upload = request.FILES.get("file")
        if ratelimit.limited(request, ratelimit.client_bucket(request, "tte-verify"), limit=20):
            messages.error(request, _("Too many requests. Please wait and try again."))
        elif upload is None:
            messages.error(request, _("Choose a PDF file."))
        elif upload.size > services.pdfcheck.max_bytes():
            messages.error(request, _("The file is too large; the limit is 20 MB."))
        else:
            try:
                report, record = services.verify_upload(upload.read())
            except ServiceError as exc:
                messages.error(request, exc.message)
    return render(request, "esign/public_verify.html", {
        "report": report, "record": record, "rows": _readable(report) if report else [],
        "timestamps": [{"item": t, "when": _local_time(t.time)} for t in report.document_timestamps] if report else []})
