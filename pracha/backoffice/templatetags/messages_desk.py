"""Filters of the messages desks' pages."""

from django import template

register = template.Library()


@register.filter
def link_reference(path: str | None) -> str:
    """What a message's link is about, as people quote it: its last path segment
    ("/applications/APP-2569-000123/" → "APP-2569-000123"); "" for a message with no link."""
    segments = [segment for segment in (path or "").split("?", 1)[0].split("/") if segment]
    return segments[-1] if segments else ""
