"""The observer API's routes, included under /api/v1/ (namespace "api") by config/urls.py beside the
partner API's and the webhooks'."""

from django.urls import path

from api import checklists, complaints, counts, outreach, sign_in_codes, views

urlpatterns = [
    path("auth/token/", views.TokenCreateView.as_view(), name="token"),
    path("auth/code/", sign_in_codes.SignInCodeView.as_view(), name="sign_in_code"),
    path("me/", views.MeView.as_view(), name="me"),
    path("messages/", outreach.MessageListView.as_view(), name="messages"),
    path("messages/<int:message_id>/read/", outreach.MessageReadView.as_view(), name="message_read"),
    path("alerts/", outreach.AlertCreateView.as_view(), name="alerts"),
    path("checkins/", views.CheckInCreateView.as_view(), name="checkins"),
    path("reports/", views.ReportListCreateView.as_view(), name="reports"),
    path("reports/<uuid:report_id>/photos/", views.PhotoCreateView.as_view(), name="report_photos"),
    path("reports/<uuid:report_id>/answer/", views.AnswerCreateView.as_view(), name="report_answer"),
    path("turnout-counts/", counts.TurnoutCountCreateView.as_view(), name="turnout_counts"),
    path("protocols/", counts.ProtocolCreateView.as_view(), name="protocols"),
    path("contests/", counts.ContestListView.as_view(), name="contests"),
    path("checklists/", checklists.ChecklistListView.as_view(), name="checklists"),
    path("checklist-answers/", checklists.ChecklistAnswersCreateView.as_view(), name="checklist_answers"),
    path("complaints/", complaints.ComplaintListView.as_view(), name="complaints"),
    path("complaints/<int:complaint_id>/pdf/", complaints.ComplaintPdfView.as_view(), name="complaint_pdf"),
]
