"""The public directory of agencies: read-only, open to everyone."""

from dataclasses import dataclass, field

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from pracha.agencies.models import Agency
from pracha.agencies.selectors import agency_get, agency_list, agency_tree
from pracha.core.errors import NotFound


@dataclass
class AgencyNode:
    agency: Agency
    children: list["AgencyNode"] = field(default_factory=list)


def nest(flat: list[tuple[Agency, int]]) -> list[AgencyNode]:
    """Turn agency_tree's (agency, depth) rows, parents first, into nested nodes.

    Nested lists (rather than indented rows) let screen readers announce each level of the hierarchy.
    """
    roots: list[AgencyNode] = []
    path: list[AgencyNode] = []  # the current chain of ancestors, one per depth
    for agency, depth in flat:
        node = AgencyNode(agency)
        del path[depth:]
        (path[-1].children if path else roots).append(node)
        path.append(node)
    return roots


def agency_list_view(request: HttpRequest) -> HttpResponse:
    return render(request, "agencies/agency_list.html", {"tree": nest(agency_tree())})


def agency_detail_view(request: HttpRequest, code: str) -> HttpResponse:
    try:
        agency = agency_get(code=code)
    except NotFound as error:
        raise Http404(str(error.message)) from error
    ancestors: list[Agency] = []
    parent = agency.parent
    while parent is not None:
        ancestors.insert(0, parent)
        parent = agency_get(code=parent.code).parent
    children = list(agency_list().filter(parent=agency))
    return render(
        request,
        "agencies/agency_detail.html",
        {"agency": agency, "ancestors": ancestors, "children": children},
    )
