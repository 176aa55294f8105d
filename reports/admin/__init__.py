"""Admin for observers' data: the review of incident reports and the check-ins.

Every ModelAdmin here is limited to the user's organizations (people.admin.mixins).
"""

from reports.admin import checkins, reports

__all__ = ["checkins", "reports"]
