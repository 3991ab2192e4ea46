from django.urls import path

from . import views

app_name = "lovebali"
urlpatterns = [
    path("", views.home, name="home"),
    path("pay/", views.pay, name="pay"),
    path("faq/", views.faq, name="faq"),
    path("chat/", views.chat, name="chat"),
    path("chat/send/", views.chat_send, name="chat-send"),
    path("chat/human/", views.chat_human, name="chat-human"),
    path("chat/end/", views.chat_end, name="chat-end"),
    path("chat/rate/", views.chat_rate, name="chat-rate"),
    path("chat/not-helpful/", views.chat_not_helpful, name="chat-not-helpful"),
    path("chat/new/", views.chat_new, name="chat-new"),
    path("o/<str:token>/", views.order, name="order"),
    path("o/<str:token>/status/", views.order_status, name="order-status"),
    path("o/<str:token>/check/", views.order_check, name="order-check"),
    path("o/<str:token>/return/", views.order_return, name="order-return"),
    path("o/<str:token>/vouchers.pdf", views.order_pdf, name="order-pdf"),
    path("o/<str:token>/qris.png", views.order_qris_png, name="order-qris-png"),
    path("find/", views.find, name="find"),
    path("verify/", views.verify, name="verify"),
    path("endpoints/check/", views.endpoint_check, name="endpoint-check"),
    path("endpoints/register/", views.endpoint_register, name="endpoint-register"),
    path("exemption/", views.exemption, name="exemption"),
]
