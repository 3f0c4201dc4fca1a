"""Every permission a role can grant. A role naming anything else is refused."""

from django.utils.translation import gettext_lazy as _

PERMISSIONS = {
    "accounts.view_person": _("Look up a person's record (each look-up is audited)"),
    "agencies.manage_tokens": _("Create and revoke the agency's system API tokens"),
    "audit.view": _("Read the audit log"),
    "applications.review": _("Review applications"),
    "applications.decide": _("Approve or reject applications"),
    "catalogue.edit": _("Edit and publish service definitions"),
    "payments.record_cash": _("Record payments made at the counter"),
    "complaints.handle": _("Handle complaints"),
    "procurement.manage": _("Manage procurement"),
}
