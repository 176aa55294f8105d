"""One error shape everywhere, also for Django's own 404 and 403 raised inside an API view."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from core.api_errors import handler


class Raising(APIView):
    authentication_classes = []
    permission_classes = []
    error: Exception | None = None

    def get(self, request):
        raise self.error


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [(Http404("no such row"), 404, "not_found"), (PermissionDenied(), 403, "permission_denied")],
)
def test_django_s_own_404_and_403_answer_in_the_api_s_error_shape(error, status, code):
    view = Raising.as_view(error=error)
    response = view(APIRequestFactory().get("/api/v1/anything/"))
    assert response.status_code == status
    assert response.data["error"]["code"] == code
    assert response.data["error"]["message"]


def test_an_error_the_api_does_not_know_is_left_to_django():
    assert handler(ValueError("boom"), {}) is None
