"""The first middleware of every request: it gives the request its id and times it.

The id is the proxy's X-Request-ID when that is a sane token, a new one otherwise; every line logged
while the request is handled carries it (config.logs), and the response echoes it in X-Request-ID so
that an operator can find a user's failed request in the logs. The time, from here to the response's
headers, goes to the latency histogram under the URL pattern that answered (config.metrics).
"""

import time

from django.core.signals import request_finished
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse

from config.logs import NO_REQUEST, REQUEST_ID, request_id_from
from config.metrics import observe_request

HEADER = "X-Request-ID"


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_from(request.META.get("HTTP_X_REQUEST_ID"))
        request.request_id = request_id
        # Bound until the response is closed: Django logs a 4xx or 5xx answer after the middleware.
        REQUEST_ID.set(request_id)
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        observe_request(
            route=match.route if match else None,
            method=request.method or "",
            status=response.status_code,
            seconds=time.perf_counter() - started,
        )
        response[HEADER] = request_id
        return response


@receiver(request_finished)
def _forget_request_id(**kwargs) -> None:
    REQUEST_ID.set(NO_REQUEST)
