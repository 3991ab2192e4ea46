from django.urls import path

from . import views

app_name = "levy"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("orders/", views.order_list, name="order-list"),
    path("orders/<str:code>/", views.order_detail, name="order-detail"),
    path("refunds/", views.refund_list, name="refund-list"),
    path("refund-requests/", views.refund_request_list, name="refund-request-list"),
    path("refund-requests/<int:request_id>/", views.refund_request_detail, name="refund-request-detail"),
    path("exemptions/", views.exemption_list, name="exemption-list"),
    path("exemptions/<str:code>/", views.exemption_detail, name="exemption-detail"),
    path("exemptions/<str:code>/documents/<int:document_id>/", views.exemption_document, name="exemption-document"),
    path("endpoints/", views.endpoint_list, name="endpoint-list"),
    path("endpoints/<str:code>/", views.endpoint_detail, name="endpoint-detail"),
    path("endpoints/<str:code>/statements/<int:statement_id>.pdf", views.statement_pdf, name="statement-pdf"),
    path("reconciliation/", views.settlement_list, name="settlement-list"),
    path("reconciliation/<int:batch_id>/", views.settlement_detail, name="settlement-detail"),
    path("checkpoint/", views.checkpoint, name="checkpoint"),
    path("checkpoint/sw.js", views.checkpoint_service_worker, name="checkpoint-sw"),
    path("partner/", views.partner_home, name="partner-home"),
    path("partner/<str:code>/orders/<str:order_code>/vouchers.pdf", views.partner_voucher_pdf, name="partner-voucher-pdf"),
    path("partner/<str:code>/statements/<int:statement_id>.pdf", views.partner_statement_pdf, name="partner-statement-pdf"),
    path("lookup/", views.lookup, name="lookup"),
]
