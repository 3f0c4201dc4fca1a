from typing import Any

from django.db.models import Prefetch, QuerySet

from pracha.agencies.models import Agency, Membership
from pracha.core.errors import NotFound


def agency_list() -> QuerySet[Agency]:
    return Agency.objects.select_related("parent").order_by("code")


def agency_tree() -> list[tuple[Agency, int]]:
    """Every agency with its depth, parents before children, for the public directory."""
    agencies = list(agency_list())
    children: dict[int | None, list[Agency]] = {}
    for agency in agencies:
        children.setdefault(agency.parent_id, []).append(agency)
    ordered: list[tuple[Agency, int]] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for agency in children.get(parent_id, []):
            ordered.append((agency, depth))
            walk(agency.pk, depth + 1)

    walk(None, 0)
    return ordered


def agency_get(*, code: str) -> Agency:
    agency = Agency.objects.select_related("parent").filter(code=code).first()
    if agency is None:
        raise NotFound()
    return agency


def active_memberships(user: Any) -> QuerySet[Membership]:
    if not getattr(user, "is_authenticated", False):
        return Membership.objects.none()
    return (
        Membership.objects.filter(user=user, is_active=True)
        .select_related("agency")
        .prefetch_related(Prefetch("roles"))
        .order_by("agency__code")
    )


def is_officer(user: Any) -> bool:
    return active_memberships(user).exists()


def officer_permissions(user: Any, *, agency: Agency | None = None) -> set[str]:
    """Permissions the user holds through active memberships (in one agency, or in any)."""
    memberships = active_memberships(user)
    if agency is not None:
        memberships = memberships.filter(agency=agency)
    return {
        permission
        for membership in memberships
        for role in membership.roles.all()
        for permission in role.permissions
    }


def has_permission(user: Any, permission: str, *, agency: Agency | None = None) -> bool:
    return permission in officer_permissions(user, agency=agency)


def agencies_where_permitted(user: Any, permission: str) -> list[Agency]:
    return [
        membership.agency
        for membership in active_memberships(user)
        if any(permission in role.permissions for role in membership.roles.all())
    ]


def roles_by_agency(user: Any) -> dict[int, frozenset[str]]:
    """Role codes the user holds in each agency (by agency id), through active memberships."""
    held: dict[int, set[str]] = {}
    for membership in active_memberships(user):
        held.setdefault(membership.agency_id, set()).update(role.code for role in membership.roles.all())
    return {agency_id: frozenset(codes) for agency_id, codes in held.items()}
