from django.urls import path

from pracha.payments import views

app_name = "payments"

urlpatterns = [
    # People: their payments, a fine by ticket and plate, a bill (a payment link) and its receipt.
    path("", views.my_payments, name="my-payments"),
    path("fines/", views.fine_lookup, name="fine-lookup"),
    path("fines/<str:ticket_number>/pay", views.fine_pay, name="fine-pay"),
    path("bills/<uuid:public_id>/", views.bill, name="bill"),
    path("bills/<uuid:public_id>/renew/", views.bill_renew, name="bill-renew"),
    path("bills/<uuid:public_id>/status", views.bill_status, name="bill-status"),
    path("receipts/<uuid:public_id>/", views.receipt, name="receipt"),
    # The payments desk of officers.
    path("manage/", views.manage, name="manage"),
    path("manage/bills/<str:reference>/", views.manage_bill, name="manage-bill"),
    path("manage/bills/<str:reference>/cash/", views.manage_bill_cash, name="manage-bill-cash"),
    path("manage/bills/<str:reference>/refund/", views.manage_bill_refund, name="manage-bill-refund"),
    path("manage/bills/<str:reference>/cancel/", views.manage_bill_cancel, name="manage-bill-cancel"),
    path("manage/refunds/", views.manage_refunds, name="manage-refunds"),
    path("manage/refunds/<uuid:public_id>/decide/", views.manage_refund_decide, name="manage-refund-decide"),
    path("manage/exceptions/", views.manage_exceptions, name="manage-exceptions"),
    path(
        "manage/exceptions/<uuid:public_id>/resolve/",
        views.manage_exception_resolve,
        name="manage-exception-resolve",
    ),
    path("manage/statements/", views.manage_statements, name="manage-statements"),
    path("manage/statements/<uuid:public_id>/", views.manage_statement, name="manage-statement"),
]
