"""Baqylau's addresses, and one that fails on purpose: what an error report to Sentry is made of."""

from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from config.urls import urlpatterns as product_urlpatterns

FAILURE_MESSAGE = "a failure made on purpose by the operations tests"


@csrf_exempt
def fail(request):
    raise RuntimeError(FAILURE_MESSAGE)


urlpatterns = [path("ops-tests/fail/", fail), *product_urlpatterns]
