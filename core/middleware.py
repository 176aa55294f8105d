"""Calls to the API with a bearer token skip the middleware that serves browsers.

A phone's outbox, and a partner, call /api/v1/ with `Authorization: Bearer …` and no cookie. The
session, CSRF, the signed-in user, two-factor state, flash messages and the sign-in lockout have
nothing to do there: DRF authenticates the token (or the partner key) itself, and with a bearer
token sent it never consults SessionAuthentication, the one part of the API that needs a session
and CSRF. On election day those calls are most of the traffic.

settings.MIDDLEWARE keeps every entry in its order, where Django's and the libraries' system checks
look for them. TokenAPIFork stands before the first of the browsers' middleware and TokenAPIJoin
after the last. A browser's request (the pages, the admin, the API with a session cookie) goes
through everything between them exactly as before; a bearer call goes through the same middleware
less those named in settings.TOKEN_API_SKIPPED_MIDDLEWARE. Everything before the fork and after the
join (security headers, CSP, static files…) runs for every request.

Django calls every middleware's process_view for every request: of the skipped ones only
CsrfViewMiddleware has one, and it lets DRF's views through, as they are all exempt from CSRF.
"""

import threading

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, MiddlewareNotUsed
from django.core.handlers.exception import convert_exception_to_response
from django.utils.module_loading import import_string

API_PREFIX = "/api/v1/"
FORK = "core.middleware.TokenAPIFork"
JOIN = "core.middleware.TokenAPIJoin"
# Django builds the middleware from the last to the first: the join, built just before the fork,
# leaves it here what follows the browsers' middleware.
_building = threading.local()


def is_token_api_call(request) -> bool:
    """A call to the API that DRF's bearer authentication answers, whatever the key is worth."""
    if not request.path_info.startswith(API_PREFIX):
        return False
    scheme = request.META.get("HTTP_AUTHORIZATION", "").split(None, 1)
    return bool(scheme) and scheme[0].lower() == "bearer"


class TokenAPIJoin:
    """The end of the browsers' middleware (see the module's description)."""

    def __init__(self, get_response):
        self.get_response = get_response
        _building.after_join = get_response

    def __call__(self, request):
        return self.get_response(request)


class TokenAPIFork:
    """The start of the browsers' middleware: bearer calls to the API take the shorter way."""

    def __init__(self, get_response):
        self.get_response = get_response
        after_join = getattr(_building, "after_join", None)
        if after_join is None:
            raise ImproperlyConfigured(f"MIDDLEWARE must have {JOIN} after {FORK}.")
        del _building.after_join
        self.token_api = chain(token_api_middleware(list(settings.MIDDLEWARE)), after_join)

    def __call__(self, request):
        if is_token_api_call(request):
            return self.token_api(request)
        return self.get_response(request)


def token_api_middleware(middleware: list[str]) -> list[str]:
    """The middleware between the fork and the join that bearer calls to the API go through too."""
    if (
        middleware.count(FORK) != 1
        or middleware.count(JOIN) != 1
        or middleware.index(JOIN) < middleware.index(FORK)
    ):
        raise ImproperlyConfigured(f"MIDDLEWARE must have {FORK} once, and {JOIN} once after it.")
    between = middleware[middleware.index(FORK) + 1 : middleware.index(JOIN)]
    return [path for path in between if path not in settings.TOKEN_API_SKIPPED_MIDDLEWARE]


def chain(middleware: list[str], get_response):
    """The middleware around get_response, each built and guarded as Django's handler does
    (synchronously: Baqylau is served over WSGI)."""
    handler = get_response
    for path in reversed(middleware):
        try:
            instance = import_string(path)(handler)
        except MiddlewareNotUsed:
            continue
        handler = convert_exception_to_response(instance)
    return handler
