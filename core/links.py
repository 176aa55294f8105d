"""URLs reversed once, not on every row: a page with a link in each cell of a 300-row table called
`reverse()` thousands of times a load, a third of the dashboard's time on election night.

The reversed path is kept per (name, arguments, script prefix, URL conf), so a deployment under a
sub-path or a request with its own URL conf gets its own; a changed ROOT_URLCONF (in tests) empties
the store."""

from functools import lru_cache
from urllib.parse import urlencode

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, get_urlconf, reverse


@lru_cache(maxsize=8192)
def _reversed(name: str, args: tuple, prefix: str, urlconf: str | None) -> str:
    return reverse(name, args=args, urlconf=urlconf)


def path_to(name: str, *args) -> str:
    """reverse(name, args=args), from the store when it was asked before."""
    return _reversed(name, args, get_script_prefix(), get_urlconf())


def path_with_query(name: str, *args, **params) -> str:
    """The path with `params` as its query string (none when there are no params)."""
    path = path_to(name, *args)
    return f"{path}?{urlencode(params)}" if params else path


@receiver(setting_changed)
def _forget_paths(*, setting, **kwargs) -> None:
    if setting == "ROOT_URLCONF":
        _reversed.cache_clear()
