"""What several page families share: rendering, pagination.

A helper belongs here only when more than one module of ``views`` uses it;
one that a single page family uses stays in that module, private.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.template.response import TemplateResponse

PAGE_SIZE = 50


def paginate(request, queryset):
    """The page of a list that the request asks for (``?page=``)."""
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def query_string(request) -> str:
    """The list's filters, to keep them in the pagination links."""
    query = request.GET.copy()
    query.pop("page", None)
    return f"{query.urlencode()}&" if query else ""


def render_page(request, template: str, context: dict, status: int = 200):
    """The page as a ``TemplateResponse`` (409 for a stale save)."""
    return TemplateResponse(request, template, context, status=status)
