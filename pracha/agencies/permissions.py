"""Every permission a role can grant. A role naming anything else is refused."""

from django.utils.translation import gettext_lazy as _

PERMISSIONS = {
    "accounts.view_person": _("Look up a person's record (each look-up is audited)"),
    "agencies.manage_tokens": _("Create and revoke the agency's system API tokens"),
    "audit.view": _("Read the audit log"),
    "applications.review": _("Review applications"),
    "applications.decide": _("Approve or reject applications"),
    "catalogue.edit": _("Edit and publish service definitions"),
    "payments.view": _("See the agency's bills, payments and receipts"),
    "payments.record_cash": _("Record payments made at the counter"),
    "payments.manage": _("Cancel bills, request refunds and resolve payment exceptions"),
    "payments.refund_approve": _("Approve or reject refunds requested by another officer"),
    "payments.reconcile": _("Import bank statements and reconcile them"),
    "documents.revoke": _("Revoke and replace the agency's signed documents"),
    "notifications.view": _("See the agency's undelivered messages"),
    "notifications.templates": _("Edit the platform's message templates"),
    "notifications.keys": _("Create and revoke the agency's messaging API keys"),
    "complaints.handle": _("Handle complaints"),
    "procurement.manage": _("Manage procurement"),
}
