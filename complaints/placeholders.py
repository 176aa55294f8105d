"""The fixed set of placeholders a complaint template may use, and their substitution.

A template is text written by a coordinator, so it must not be able to read anything but the
facts it is given: no template language, no attribute or index access, no format specs. Every
`{...}` in the text must be exactly one of the names below; anything else is refused, naming it.
"""

import re
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

PLACEHOLDERS = {
    "addressee": _("the commission the complaint is addressed to"),
    "complainant": _("who files the complaint"),
    "date": _("the date of the complaint"),
    "district": _("the election district"),
    "election": _("the election"),
    "evidence_list": _("the photos with their SHA-256 seals and capture times"),
    "facts": _("what was seen, report by report, with local times"),
    "legal_basis": _("the template's legal basis"),
    "observer_count": _("how many independent observers reported it"),
    "organization": _("the observers' organization"),
    "previous_complaint": _("for an appeal: the complaint appealed, where and when it was filed, its answer"),
    "requested_action": _("the template's requested action"),
    "station_address": _("the station's address"),
    "station_name": _("the station's name"),
    "station_number": _("the station's number"),
}
# Anything between braces, so that `{station.election}`, `{0}` or `{date:%Y}` is caught and named.
BRACED = re.compile(r"\{([^{}]*)\}")


def unknown_placeholders(text: str) -> list[str]:
    return [name for name in BRACED.findall(text) if name not in PLACEHOLDERS]


def validate_template_text(text: str) -> None:
    unknown = unknown_placeholders(text)
    if unknown:
        raise ValidationError(
            _("Unknown placeholder %(names)s; a template may use only %(allowed)s."),
            code="placeholder",
            params={
                "names": ", ".join("{" + name + "}" for name in dict.fromkeys(unknown)),
                "allowed": ", ".join("{" + name + "}" for name in sorted(PLACEHOLDERS)),
            },
        )


def fill(text: str, values: Mapping[str, str]) -> str:
    """The text with each placeholder replaced by its value, in one pass: a value that itself
    contains braces is left as it is, never substituted again."""
    validate_template_text(text)
    return BRACED.sub(lambda match: str(values[match.group(1)]), text)
