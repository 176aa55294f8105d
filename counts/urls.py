"""The observer API's count routes, included under /api/v1/ by api/urls.py."""

from django.urls import path

from counts import api

urlpatterns = [
    path("turnout-counts/", api.TurnoutCountCreateView.as_view(), name="turnout_counts"),
    path("protocols/", api.ProtocolCreateView.as_view(), name="protocols"),
    path("contests/", api.ContestListView.as_view(), name="contests"),
]
