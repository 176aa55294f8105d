"""The complaints admin: templates, complaints and each step of their life, and the action on the
incident report list that starts a complaint from the selected reports."""

from complaints.admin.complaints import ComplaintAdmin, add_draft_action_to_reports
from complaints.admin.templates import ComplaintTemplateAdmin

add_draft_action_to_reports()

__all__ = ["ComplaintAdmin", "ComplaintTemplateAdmin"]
