"""Admin for observers' data: the review of incident reports, people, assignments and check-ins.

Every ModelAdmin here is limited to the user's organizations (reports.admin.mixins).
"""

from reports.admin import people, reports

__all__ = ["people", "reports"]
