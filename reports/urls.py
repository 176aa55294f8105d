from django.urls import path

from reports.views import photos

app_name = "observe"

urlpatterns = [
    path("photos/<uuid:photo_id>/", photos.photo, name="photo"),
    path("photos/<uuid:photo_id>/thumbnail/", photos.photo_thumbnail, name="photo_thumbnail"),
]
