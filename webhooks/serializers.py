"""Input and output of the webhook registration endpoints. The secret appears in one answer only:
the one that creates the endpoint."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from webhooks.models import Event


class EndpointInput(serializers.Serializer):
    url = serializers.CharField(
        max_length=2000, help_text=_("An http(s) URL on a public address that accepts POST requests.")
    )
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=Event.choices),
        allow_empty=False,
        max_length=len(Event.values),
        help_text=_("incident.verified needs incidents:read; district.band_changed needs scores:read."),
    )


class EndpointOutput(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.CharField()
    events = serializers.ListField(child=serializers.ChoiceField(choices=Event.choices))
    active = serializers.BooleanField(help_text=_("False once a coordinator disabled the endpoint."))
    created_at = serializers.DateTimeField()
    disabled_at = serializers.DateTimeField(allow_null=True)
    consecutive_failures = serializers.IntegerField(
        help_text=_("Sends in a row that your receiver did not answer with 2xx.")
    )


class EndpointCreatedOutput(EndpointOutput):
    secret = serializers.CharField(
        help_text=_("Key of the HMAC-SHA256 signature in X-Baqylau-Signature. Shown only now: keep it safe.")
    )


class EndpointListOutput(serializers.Serializer):
    results = EndpointOutput(many=True)
