"""Admin for count integrity: contests and official results (election data, like stations), and
observers' protocol copies and turnout counts (scoped to the user's organizations)."""

from counts.admin import contests, observed

__all__ = ["contests", "observed"]
