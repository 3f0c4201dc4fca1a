"""A long list in pages, with the links between them that `includes/pagination.html` draws."""

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.http import urlencode


def query_string(params: Mapping[str, str]) -> str:
    """ "?a=1&b=2" with the empty parameters left out, so links stay short and shareable."""
    return "?" + urlencode({name: value for name, value in params.items() if value})


def paginated(
    request: HttpRequest, items: QuerySet[Any] | Sequence[Any], *, per_page: int, filters: Mapping[str, str]
) -> dict[str, Any]:
    """The template context for one page: the page, the page numbers to link (elided in the middle)
    and the query that keeps the filters on every page link."""
    page = Paginator(items, per_page).get_page(request.GET.get("page"))
    query = query_string(filters)
    return {
        "page": page,
        "page_numbers": list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)),
        "ellipsis": Paginator.ELLIPSIS,
        "page_query": query + ("&" if len(query) > 1 else ""),
    }
