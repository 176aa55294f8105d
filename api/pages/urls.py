from django.urls import path

from api.pages import counts as count_pages
from api.pages import observer, outbox, photos

app_name = "observe"

urlpatterns = [
    path("", observer.stations, name="stations"),
    path("login/", observer.LoginView.as_view(), name="login"),
    path("logout/", observer.LogoutView.as_view(), name="logout"),
    path("stations/<int:station_id>/checkin/", observer.checkin, name="checkin"),
    path("stations/<int:station_id>/report/", observer.report, name="report"),
    path("reports/", observer.reports, name="reports"),
    path("reports/<uuid:report_id>/answer/", observer.answer, name="answer"),
    path("stations/<int:station_id>/turnout/", count_pages.turnout, name="turnout"),
    path("stations/<int:station_id>/protocol/", count_pages.protocol_contests, name="protocol_contests"),
    path("stations/<int:station_id>/protocol/<slug:contest>/", count_pages.protocol, name="protocol"),
    path("counts/", count_pages.counts, name="counts"),
    path("token/", outbox.token, name="token"),
    path("sw.js", outbox.service_worker, name="sw"),
    path("photos/<uuid:photo_id>/", photos.photo, name="photo"),
    path("photos/<uuid:photo_id>/thumbnail/", photos.photo_thumbnail, name="photo_thumbnail"),
    path("photos/protocols/<uuid:protocol_id>/", count_pages.protocol_photo, name="protocol_photo"),
    path(
        "photos/protocols/<uuid:protocol_id>/thumbnail/",
        count_pages.protocol_thumbnail,
        name="protocol_thumbnail",
    ),
]
