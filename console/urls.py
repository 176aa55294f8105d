"""The console's pages beyond the dashboard and the district page, included under /admin/dashboard/
by config/urls.py; each opens only through the admin's sign-in."""

from django.contrib import admin
from django.urls import path

from console.views import checklists
from console.views.complaints import overdue_complaints

urlpatterns = [
    path(
        "complaints/overdue/",
        admin.site.admin_view(overdue_complaints),
        name="admin_complaints_overdue",
    ),
    path("checklists/", admin.site.admin_view(checklists.checklist_index), name="admin_checklist_index"),
    path(
        "checklists/<slug:slug>/<slug:code>/",
        admin.site.admin_view(checklists.results_page),
        name="admin_checklist_results",
    ),
    path(
        "checklists/<slug:slug>/<slug:code>/results.csv",
        admin.site.admin_view(checklists.results_csv),
        name="admin_checklist_results_csv",
    ),
]
