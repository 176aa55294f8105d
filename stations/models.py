from datetime import datetime, time
from zoneinfo import ZoneInfo, available_timezones

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _


def validate_timezone(value: str) -> None:
    if value not in available_timezones():
        raise ValidationError(
            _("%(value)s is not an IANA time zone such as Asia/Almaty."), params={"value": value}
        )


def default_election_timezone() -> str:
    return settings.DEFAULT_ELECTION_TIMEZONE


class Election(models.Model):
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=200)
    date = models.DateField(_("election day"))
    timezone = models.CharField(
        _("time zone"),
        max_length=64,
        default=default_election_timezone,
        validators=[validate_timezone],
        help_text=_("IANA name; times are shown to observers and coordinators in this zone."),
    )
    polls_close = models.TimeField(
        _("polls close"),
        default=time(20, 0),
        help_text=_(
            "Local time; an observer's last turnout count before it is compared with the official turnout."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "slug"]
        verbose_name = _("election")
        verbose_name_plural = _("elections")

    def __str__(self) -> str:
        return self.name

    @property
    def polls_close_at(self) -> datetime:
        """The moment the polls close on election day, as an aware datetime."""
        return datetime.combine(self.date, self.polls_close, tzinfo=ZoneInfo(self.timezone))


class Region(models.Model):
    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="regions")
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        ordering = ["name"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        constraints = [
            models.UniqueConstraint(fields=["election", "name"], name="region_name_unique_per_election"),
        ]

    def __str__(self) -> str:
        return self.name


class DistrictQuerySet(models.QuerySet):
    def with_station_counts(self) -> "DistrictQuerySet":
        return self.annotate(
            station_count=Count("stations"),
            registered_total=Sum("stations__registered_voters"),
            sample_count=Count("stations", filter=Q(stations__in_sample=True)),
        )


class District(models.Model):
    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="districts")
    number = models.PositiveIntegerField(_("number"))
    name = models.CharField(_("name"), max_length=200)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="districts")

    objects = DistrictQuerySet.as_manager()

    class Meta:
        ordering = ["election", "number"]
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        constraints = [
            models.UniqueConstraint(
                fields=["election", "number"], name="district_number_unique_per_election"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"


class PollingStationQuerySet(models.QuerySet):
    def for_list(self) -> "PollingStationQuerySet":
        return self.select_related("election", "region", "district")


class PollingStation(models.Model):
    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="stations")
    # Text, not a number: many countries number stations per region ("77-1234").
    number = models.CharField(_("number"), max_length=32)
    name = models.CharField(_("name"), max_length=300, blank=True)
    address = models.CharField(_("address"), max_length=500, blank=True)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="stations")
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="stations")
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    registered_voters = models.IntegerField(
        _("registered voters"), default=0, validators=[MinValueValidator(0)]
    )
    in_sample = models.BooleanField(
        _("in random sample"),
        default=False,
        help_text=_("Drawn into the random observation sample; scores prefer these stations."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = PollingStationQuerySet.as_manager()

    class Meta:
        ordering = ["election", "district__number", "number"]
        verbose_name = _("polling station")
        verbose_name_plural = _("polling stations")
        constraints = [
            models.UniqueConstraint(fields=["election", "number"], name="station_number_unique_per_election"),
            models.CheckConstraint(
                condition=Q(registered_voters__gte=0), name="station_registered_voters_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="station_latitude_in_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="station_longitude_in_range",
            ),
        ]
        indexes = [models.Index(fields=["district", "number"], name="station_district_number_idx")]

    def __str__(self) -> str:
        return f"{self.number} {self.name}".strip()


class StationImport(models.Model):
    """One station list loaded into an election: who, when, which file, what changed."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="station_imports")
    filename = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    rows = models.PositiveIntegerField()
    created = models.PositiveIntegerField()
    updated = models.PositiveIntegerField()
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-imported_at"]
        verbose_name = _("station import")
        verbose_name_plural = _("station imports")

    def __str__(self) -> str:
        return f"{self.filename} ({self.imported_at:%Y-%m-%d %H:%M})"


class SampleDrawQuerySet(models.QuerySet):
    def current(self, election: Election) -> "SampleDraw | None":
        """The draw whose stations carry `in_sample` now: the election's latest."""
        return self.filter(election=election).order_by("-drawn_at", "-pk").first()


class SampleDraw(models.Model):
    """One draw of the random observation sample. The latest per election is current; earlier
    draws stay as history, so anyone can re-run a published sample from its seed."""

    class Method(models.TextChoices):
        PROPORTIONAL = "proportional", _("proportional to district size")

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="sample_draws")
    size = models.PositiveIntegerField(_("size requested"))
    drawn = models.PositiveIntegerField(_("stations drawn"))
    seed = models.BigIntegerField(_("seed"))
    method = models.CharField(
        _("allocation"), max_length=20, choices=Method.choices, default=Method.PROPORTIONAL
    )
    min_per_district = models.PositiveIntegerField(_("minimum per district"))
    # {"<district number>": stations drawn}; JSON object keys are always text.
    allocation = models.JSONField(_("allocation per district"), default=dict)
    drawn_at = models.DateTimeField(_("drawn at"), auto_now_add=True)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("drawn by"),
    )

    objects = SampleDrawQuerySet.as_manager()

    class Meta:
        ordering = ["-drawn_at", "-pk"]
        verbose_name = _("sample draw")
        verbose_name_plural = _("sample draws")
        permissions = [("draw_sample", _("Can draw a random observation sample"))]
        constraints = [
            # random.Random(-s) draws what random.Random(s) does, so only one sign is allowed.
            models.CheckConstraint(condition=Q(seed__gte=0), name="sample_draw_seed_not_negative"),
            models.CheckConstraint(condition=Q(size__gte=1), name="sample_draw_size_positive"),
            models.CheckConstraint(condition=Q(method__in=["proportional"]), name="sample_draw_method_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.election}: {self.drawn} stations, seed {self.seed}"
