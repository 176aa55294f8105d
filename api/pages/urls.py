from django.urls import path

from api.pages import checklists as checklist_pages
from api.pages import counts as count_pages
from api.pages import observer, outbox, photos, sign_in_code
from api.pages import outreach as outreach_pages

app_name = "observe"

urlpatterns = [
    path("", observer.stations, name="stations"),
    path("login/", observer.LoginView.as_view(), name="login"),
    path("login/code/", sign_in_code.sign_in_with_code, name="sign_in_code"),
    path("logout/", observer.LogoutView.as_view(), name="logout"),
    path("stations/<int:station_id>/checkin/", observer.checkin, name="checkin"),
    path("stations/<int:station_id>/report/", observer.report, name="report"),
    path("reports/", observer.reports, name="reports"),
    path("reports/<uuid:report_id>/answer/", observer.answer, name="answer"),
    path("stations/<int:station_id>/turnout/", count_pages.turnout, name="turnout"),
    path("stations/<int:station_id>/protocol/", count_pages.protocol_contests, name="protocol_contests"),
    path("stations/<int:station_id>/protocol/<slug:contest>/", count_pages.protocol, name="protocol"),
    path("counts/", count_pages.counts, name="counts"),
    path("stations/<int:station_id>/checklists/", checklist_pages.checklist_list, name="checklists"),
    path(
        "stations/<int:station_id>/checklists/<slug:code>/", checklist_pages.checklist_form, name="checklist"
    ),
    path("messages/", outreach_pages.message_list, name="messages"),
    path("messages/<int:message_id>/read/", outreach_pages.message_read, name="message_read"),
    path("help/", outreach_pages.help_request, name="help"),
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
