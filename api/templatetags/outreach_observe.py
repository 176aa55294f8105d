"""The "I need help" form of every observer page. It costs the page no query: the observer's
stations are filled in by outreach.js from the stations page it kept, and the unread count in the
header comes from the messages the outbox keeps (the "Messages" page counts them itself)."""

import uuid

from django import template

from outreach.models import AlertKind

register = template.Library()


@register.inclusion_tag("observe/_help.html", takes_context=True)
def help_form(context) -> dict:
    """A form with a fresh id on each page: the alert keeps it through every retry."""
    return {
        "help_id": uuid.uuid4(),
        "kinds": AlertKind.choices,
        "station_choices": [],
        "chosen": {},
        "errors": {},
        "open": False,
        "csrf_token": context.get("csrf_token"),
    }
