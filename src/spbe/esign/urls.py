from django.urls import path

from . import views

app_name = "esign"
urlpatterns = [
    path("console/tte/", views.document_list, name="document-list"),
    path("console/tte/new/", views.document_new, name="document-new"),
    path("console/tte/sign-batch/", views.sign_batch, name="sign-batch"),
    path("console/tte/<int:document_id>/", views.document_detail, name="document-detail"),
    path("console/tte/<int:document_id>/files/<int:file_id>/", views.document_file, name="document-file"),
    path("tte/verify/", views.public_verify, name="public-verify"),
    path("tte/v/<str:token>/", views.public_record, name="public-record"),
    path("tte/v/<str:token>/document.pdf", views.public_download, name="public-download"),
]
