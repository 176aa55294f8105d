"""A search term as the admin's search box reads it, over the fields one chooses."""

from collections.abc import Iterable

from django.db.models import Q
from django.utils.text import smart_split, unescape_string_literal


def term_matches(search_term: str, fields: Iterable[str]) -> Q:
    """Rows with every word of the term (or "quoted phrase") in one of `fields`, case-insensitively.

    The same reading as ModelAdmin.get_search_results, for a search over fewer fields than the
    admin's own.
    """
    fields = list(fields)
    match = Q()
    for bit in smart_split(search_term):
        if bit.startswith(('"', "'")) and bit[0] == bit[-1]:
            bit = unescape_string_literal(bit)
        in_any_field = Q()
        for field in fields:
            in_any_field |= Q(**{f"{field}__icontains": bit})
        match &= in_any_field
    return match
