"""Webhook registration routes for partners, included under /api/v1/ by api/urls.py."""

urlpatterns: list = []
