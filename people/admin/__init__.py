"""Admin for organizations, memberships, assignments and observers' tokens, and the scoping every
admin of the apps above uses: a member of staff sees only their organizations' rows."""

from people.admin import people

__all__ = ["people"]
