"""What other apps may use of agencies, roles and memberships."""

from pracha.agencies.models import Agency, Membership, Role
from pracha.agencies.permissions import PERMISSIONS
from pracha.agencies.selectors import (
    active_memberships,
    agencies_where_permitted,
    agency_get,
    agency_list,
    agency_tree,
    has_permission,
    is_officer,
    officer_permissions,
    roles_by_agency,
)

__all__ = [
    "PERMISSIONS",
    "Agency",
    "Membership",
    "Role",
    "active_memberships",
    "agencies_where_permitted",
    "agency_get",
    "agency_list",
    "agency_tree",
    "has_permission",
    "is_officer",
    "officer_permissions",
    "roles_by_agency",
]
