"""Admin for checklists: the builder with its publish and clone actions, the frozen versions, and
the observers' submissions, each cut down to the user's organizations (people.admin.mixins)."""

from checklists.admin import answers, definitions, paper

__all__ = ["answers", "definitions", "paper"]
