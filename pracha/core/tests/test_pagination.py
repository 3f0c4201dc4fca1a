from django.test import RequestFactory

from pracha.core.pagination import paginated, query_string


def test_a_query_string_leaves_out_empty_filters() -> None:
    assert query_string({"tab": "mine", "q": "", "state": "paid"}) == "?tab=mine&state=paid"
    assert query_string({"q": ""}) == "?"


def test_a_page_keeps_the_filters_and_elides_far_page_numbers() -> None:
    request = RequestFactory().get("/", {"page": "6", "q": "ร้าน"})
    context = paginated(request, list(range(120)), per_page=10, filters={"q": "ร้าน", "state": ""})
    assert list(context["page"].object_list) == list(range(50, 60))
    assert context["page_numbers"] == [1, context["ellipsis"], 4, 5, 6, 7, 8, context["ellipsis"], 12]
    assert context["page_query"] == "?q=%E0%B8%A3%E0%B9%89%E0%B8%B2%E0%B8%99&"


def test_without_filters_the_page_links_start_the_query() -> None:
    request = RequestFactory().get("/", {"page": "99"})
    context = paginated(request, list(range(3)), per_page=10, filters={})
    assert (context["page"].number, context["page_query"]) == (1, "?")
