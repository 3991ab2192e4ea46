from django.contrib import admin

from spbe.core.admin_scoping import ReadOnlyScopedAdmin

from .models import Endpoint, Order, Payment, Refund, Voucher


@admin.register(Order)
class OrderAdmin(ReadOnlyScopedAdmin):
    list_display = ["code", "channel", "status", "total", "created_at", "paid_at"]
    list_filter = ["status", "channel"]
    search_fields = ["code"]
    exclude = ["email"]


@admin.register(Payment)
class PaymentAdmin(ReadOnlyScopedAdmin):
    list_display = ["__str__", "provider", "method", "state", "amount", "confirmed_at"]
    list_filter = ["state", "provider", "method"]


@admin.register(Refund)
class RefundAdmin(ReadOnlyScopedAdmin):
    list_display = ["__str__", "reason", "state", "amount", "created_at"]
    list_filter = ["state", "reason"]


@admin.register(Voucher)
class VoucherAdmin(ReadOnlyScopedAdmin):
    list_display = ["reference", "kind", "valid_from", "valid_until", "revoked_at"]
    list_filter = ["kind"]
    search_fields = ["reference"]
    exclude = ["passport_hash", "code"]


@admin.register(Endpoint)
class EndpointAdmin(ReadOnlyScopedAdmin):
    list_display = ["code", "name", "kind", "status"]
    list_filter = ["status", "kind"]
