"""The rules every observer's submission shares, whatever it carries (a check-in, a report, a turnout
count, a protocol copy): its id, its times, its choices and its photos.

`election` is a stations.Election; only its date and time zone are read.
"""

from contextlib import nullcontext
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ApplicationError
from core.photos import MAX_PHOTO_BYTES, PhotoRejected, ProcessedPhoto, process_photo

FUTURE_TOLERANCE = timedelta(minutes=5)
# existing_row() reads the owner itself unless it is given.
UNREAD = object()


def new_row_id(model, pk):
    """The id the phone made for a new row, as the database stores it; a malformed one is refused."""
    try:
        return model._meta.pk.get_db_prep_value(pk, connection)
    except ValidationError:
        raise ApplicationError(_("The id must be a UUID."), field="id") from None


def existing_row(model, *, pk, owner: str, observer, owner_id=UNREAD):
    """The row a retried request already created, or None; someone else's id is refused.

    `owner_id` is the row's owner when another query read it already (None: no such row)."""
    if owner_id is UNREAD:
        new_row_id(model, pk)
        owner_id = model.objects.filter(pk=pk).values_list(owner, flat=True).first()
    if owner_id is None:
        return None
    if owner_id != observer.pk:
        raise ApplicationError(_("This id is already in use; the app must generate a new one."), field="id")
    return model.objects.get(pk=pk)


def single_insert():
    """Around the one INSERT of a new row, which a duplicate id (the same request twice at once) may
    refuse: a savepoint inside a transaction already open, so that the refusal does not spoil it;
    otherwise nothing, since one statement in autocommit is a transaction of its own and BEGIN and
    COMMIT would only add two round trips to the database."""
    return transaction.atomic() if connection.in_atomic_block else nullcontext()


def _insert_sql(instance: Model) -> tuple[str, list]:
    """The INSERT that saving this new instance would run, its values made as save() makes them
    (auto_now fields set on the instance); no RETURNING, so its primary key must be set already
    unless it is an auto field."""
    from django.db.models.sql import InsertQuery

    meta = instance._meta
    fields = [field for field in meta.local_concrete_fields if not field.generated]
    if meta.auto_field is not None and instance.pk is None:
        fields = [field for field in fields if field is not meta.auto_field]
    query = InsertQuery(type(instance))
    query.insert_values(fields, [instance])
    ((sql, params),) = query.get_compiler(connection=connection).as_sql()
    return sql, list(params)


def insert_together(first: Model, *then: Model) -> None:
    """Insert new rows all or nothing: on PostgreSQL in one statement (the first row's INSERT as a
    data-modifying WITH, the others after it), so one round trip instead of a transaction's four;
    elsewhere in a transaction. `first` must carry its primary key (a UUID the phone chose); the
    others get theirs from the database and are not read back. A duplicate key raises IntegrityError
    and nothing is written (inside a transaction already open, nothing of it is spoilt)."""
    if connection.vendor != "postgresql":
        with transaction.atomic():
            for instance in (first, *then):
                instance.save(force_insert=True)
        return
    sql, params = _insert_sql(first)
    rows = [f"first_row AS ({sql} RETURNING 1)"]
    for number, instance in enumerate(then):
        more, more_params = _insert_sql(instance)
        rows.append(f"row_{number} AS ({more} RETURNING 1)")
        params += more_params
    with single_insert(), connection.cursor() as cursor:
        # The SQL is the ORM's own INSERTs; every value is a parameter.
        cursor.execute(f"WITH {', '.join(rows)} SELECT 1 FROM first_row", params)  # noqa: S608
    for instance in (first, *then):
        instance._state.adding = False
        instance._state.db = connection.alias


def check_time(value: datetime, election, field: str) -> None:
    """No more than 5 minutes ahead of the server's clock, and not before the eve of election day."""
    if timezone.is_naive(value):
        raise ApplicationError(_("Give the time with its time zone."), field=field)
    if value > timezone.now() + FUTURE_TOLERANCE:
        raise ApplicationError(_("This time is in the future; check the phone's clock."), field=field)
    eve = datetime.combine(election.date - timedelta(days=1), time.min, tzinfo=ZoneInfo(election.timezone))
    if value < eve:
        raise ApplicationError(_("This time is before the day before the election."), field=field)


def check_choice(value: str, choices, field: str) -> None:
    if value not in choices.values:
        raise ApplicationError(_("%(value)s is not a valid choice.") % {"value": value}, field=field)


def read_photo(upload: UploadedFile, *, election, field: str = "photos") -> ProcessedPhoto:
    """Decode, strip and re-encode an upload; the received bytes are never stored.

    A camera that records no time zone wrote the station's local time, so read it there.
    """
    if upload.size is not None and upload.size > MAX_PHOTO_BYTES:
        raise ApplicationError(_("The photo is larger than 20 MB."), field=field)
    # An upload that does not know its size is read no further than one byte past the limit.
    data = upload.read(MAX_PHOTO_BYTES + 1)
    if len(data) > MAX_PHOTO_BYTES:
        raise ApplicationError(_("The photo is larger than 20 MB."), field=field)
    try:
        return process_photo(data, filename=upload.name or "", default_tz=ZoneInfo(election.timezone))
    except PhotoRejected as exc:
        raise ApplicationError(f"{upload.name}: {exc}" if upload.name else str(exc), field=field) from None
