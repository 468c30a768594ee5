"""Paging of member lists (20 rows a page, as the center's pages have)."""

from django.core.paginator import InvalidPage, Page, Paginator
from django.http import Http404, HttpRequest

PAGE_SIZE = 20


def paginate(request: HttpRequest, rows, per_page: int = PAGE_SIZE) -> Page:
    """The requested page (`?page=`) of `rows` (a list or a queryset). A page
    number that is not a number or past the end is a 404, like any other
    parameter that points at nothing."""
    try:
        return Paginator(rows, per_page).page(request.GET.get("page") or 1)
    except InvalidPage:
        raise Http404("no such page") from None
