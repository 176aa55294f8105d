"""Webhook registration routes for partners, included under /api/v1/ by config/urls.py."""

from django.urls import path

from webhooks import views

urlpatterns = [
    path("webhooks/", views.EndpointListCreateView.as_view(), name="webhooks"),
    path("webhooks/<int:endpoint_id>/", views.EndpointDetailView.as_view(), name="webhook"),
]
