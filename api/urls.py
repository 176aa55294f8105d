from django.urls import include, path, re_path

from api import views

app_name = "api"

urlpatterns = [
    path("auth/token/", views.TokenCreateView.as_view(), name="token"),
    path("me/", views.MeView.as_view(), name="me"),
    path("checkins/", views.CheckInCreateView.as_view(), name="checkins"),
    path("reports/", views.ReportListCreateView.as_view(), name="reports"),
    path("reports/<uuid:report_id>/photos/", views.PhotoCreateView.as_view(), name="report_photos"),
    path("reports/<uuid:report_id>/answer/", views.AnswerCreateView.as_view(), name="report_answer"),
    path("", include("partners.urls")),
    path("", include("webhooks.urls")),
    path("", include("counts.urls")),
    re_path(r"", views.NotFoundView.as_view(), name="not_found"),
]
