"""Partner API routes, included under /api/v1/ by config/urls.py."""

from django.urls import path

from partners.views import alerts, checklists, complaints, counts, forensics, incidents, scores

app_name = "partners"

urlpatterns = [
    path("elections/", scores.ElectionListView.as_view(), name="elections"),
    path("elections/<slug:slug>/districts/", scores.DistrictListView.as_view(), name="districts"),
    path(
        "elections/<slug:slug>/districts/<int:number>/",
        scores.DistrictDetailView.as_view(),
        name="district",
    ),
    path("elections/<slug:slug>/stations/", scores.StationListView.as_view(), name="stations"),
    path(
        "elections/<slug:slug>/stations.geojson",
        scores.StationGeoJsonView.as_view(),
        name="stations_geojson",
    ),
    path(
        "elections/<slug:slug>/count-estimates/",
        counts.CountEstimatesView.as_view(),
        name="count_estimates",
    ),
    path(
        "elections/<slug:slug>/protocol-comparisons/",
        counts.ProtocolComparisonListView.as_view(),
        name="protocol_comparisons",
    ),
    path("elections/<slug:slug>/forensics/", forensics.ForensicsView.as_view(), name="forensics"),
    path(
        "elections/<slug:slug>/forensics/<slug:contest>/<slug:picture>.svg",
        forensics.PictureView.as_view(),
        name="forensics_picture",
    ),
    path("elections/<slug:slug>/alerts/", alerts.AlertCountsView.as_view(), name="alert_counts"),
    path(
        "elections/<slug:slug>/complaints/",
        complaints.ComplaintCountsView.as_view(),
        name="complaint_counts",
    ),
    path(
        "elections/<slug:slug>/complaints/texts/",
        complaints.SharedComplaintListView.as_view(),
        name="complaint_texts",
    ),
    path(
        "elections/<slug:slug>/checklists/<slug:code>/results/",
        checklists.ChecklistResultsView.as_view(),
        name="checklist_results",
    ),
    path("incidents/", incidents.IncidentListView.as_view(), name="incidents"),
    path("partner-photos/<str:token>/", incidents.PhotoView.as_view(), name="photo"),
]
