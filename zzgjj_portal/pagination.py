"""Paging of member lists (20 rows a page, as the center's pages have)."""

from collections.abc import Sequence

from django.core.paginator import InvalidPage, Page, Paginator
from django.http import Http404, HttpRequest

PAGE_SIZE = 20
MAX_PAGE = 1_000_000


def paginate(request: HttpRequest, rows, per_page: int = PAGE_SIZE) -> Page:
    """The requested page (`?page=`) of `rows` (a list or a queryset). A page
    number that is not a number or past the end is a 404, like any other
    parameter that points at nothing."""
    try:
        return Paginator(rows, per_page).page(request.GET.get("page") or 1)
    except InvalidPage:
        raise Http404("no such page") from None


def page_number(request: HttpRequest) -> int:
    """The requested page number (`?page=`, default 1), or a 404 for anything
    that is not a page number, as `paginate` answers."""
    raw = request.GET.get("page") or "1"
    try:
        number = int(raw)
    except ValueError:
        raise Http404("no such page") from None
    # No member list has a million pages; a bigger number would only make
    # an OFFSET the database refuses (a 500) instead of an empty page.
    if not 1 <= number <= MAX_PAGE:
        raise Http404("no such page")
    return number


class _Counted(Sequence):
    """The rows of one page the database already read, standing for all
    `count` rows of the list: the Paginator slices exactly that page."""

    def __init__(self, count: int, offset: int, rows: list):
        self.count_, self.offset, self.rows = count, offset, rows

    def __len__(self) -> int:
        return self.count_

    def __getitem__(self, index):
        if not isinstance(index, slice) or index.start != self.offset:
            raise IndexError("only the page that was read")
        return self.rows


def counted_page(rows: list, *, count: int, number: int, per_page: int = PAGE_SIZE) -> Page:
    """Page `number` of a list of `count` rows whose page the database read
    itself (LIMIT/OFFSET, the count alongside): the same Page `paginate`
    gives, for the same pagination links. A page past the end is a 404;
    an empty list still has its empty first page."""
    try:
        return Paginator(_Counted(count, (number - 1) * per_page, rows), per_page).page(number)
    except InvalidPage:
        raise Http404("no such page") from None
