"""Writing contests and official results: the only writer of Contest, Choice, ResultBatch and
OfficialResult (the admin, the commands and the tasks all come through here)."""

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from core.errors import ApplicationError
from core.signals import evidence_changed
from counts.importers import Ballot, read_results_csv
from counts.models import Choice, Contest, ContestKind, OfficialResult, ResultBatch
from stations.models import Election

RESULT_CHUNK = 2000


@dataclass(frozen=True)
class ChoiceSpec:
    code: str
    name: str
    district_number: int | None = None


def choices_parse(text: str) -> list[ChoiceSpec]:
    """`a,b,c` or `code=Name,…` from the command line: codes as slugs, names default to the code."""
    specs = []
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        code, _sep, name = item.partition("=")
        specs.append(ChoiceSpec(code=code.strip(), name=name.strip() or code.strip()))
    return specs


def check_choices(contest_kind: str, specs: Sequence[ChoiceSpec], districts: dict[int, int]) -> None:
    codes = [spec.code for spec in specs]
    bad = [code for code in codes if not code or slugify(code) != code.lower() or len(code) > 32]
    if bad:
        raise ApplicationError(
            _("Choice codes must be short slugs (letters, digits, - and _): %(codes)s.")
            % {"codes": ", ".join(map(repr, bad))},
            field="choices",
        )
    twice = sorted({code for code in codes if codes.count(code) > 1})
    if twice:
        raise ApplicationError(
            _("Choice code(s) given twice: %(codes)s.") % {"codes": ", ".join(twice)}, field="choices"
        )
    for spec in specs:
        if contest_kind == ContestKind.CANDIDATES and spec.district_number not in districts:
            raise ApplicationError(
                _("Candidate %(code)s needs the number of a district of this election (got %(number)s).")
                % {"code": spec.code, "number": spec.district_number},
                field="choices",
            )
        if contest_kind == ContestKind.PARTY_LIST and spec.district_number is not None:
            raise ApplicationError(
                _("Party %(code)s cannot belong to a district.") % {"code": spec.code}, field="choices"
            )


@transaction.atomic
def contest_define(
    *, election: Election, code: str, name: str, kind: str, choices: Sequence[ChoiceSpec]
) -> Contest:
    """Create a contest, or update its name and add or rename its choices; choices already used
    by imported results or protocol copies are never removed."""
    if kind not in ContestKind.values:
        raise ApplicationError(
            _("The kind must be one of %(kinds)s.") % {"kinds": ", ".join(ContestKind.values)}, field="kind"
        )
    if not code or slugify(code) != code.lower() or len(code) > 32:
        raise ApplicationError(_("The contest code must be a short slug such as party_list."), field="code")
    if not name.strip():
        raise ApplicationError(_("Give the contest a name."), field="name")
    districts = dict(election.districts.values_list("number", "pk"))
    check_choices(kind, choices, districts)
    contest, created = Contest.objects.get_or_create(
        election=election, code=code, defaults={"name": name.strip(), "kind": kind}
    )
    if not created and contest.kind != kind:
        raise ApplicationError(
            _("Contest %(code)s already exists as %(kind)s; its kind cannot change.")
            % {"code": code, "kind": contest.get_kind_display()},
            field="kind",
        )
    if contest.name != name.strip():
        contest.name = name.strip()
        contest.save(update_fields=["name"])
    for position, spec in enumerate(choices, start=1):
        district_id = districts.get(spec.district_number) if spec.district_number is not None else None
        Choice.objects.update_or_create(
            contest=contest,
            code=spec.code,
            defaults={"name": spec.name, "district_id": district_id, "position": position},
        )
    return contest


@transaction.atomic
def results_import(
    *, contest: Contest, data: bytes, filename: str, by: AbstractBaseUser | None = None
) -> ResultBatch:
    """Load a contest's official results: all of the file or, on any bad line, nothing
    (CsvImportError). The new file becomes the current batch; the one it replaces is kept."""
    rows = read_results_csv(data, Ballot.of(contest))
    now = timezone.now()
    ResultBatch.objects.filter(contest=contest, current=True).update(current=False, replaced_at=now)
    batch = ResultBatch.objects.create(
        contest=contest,
        filename=filename[:255],
        sha256=hashlib.sha256(data).hexdigest(),
        rows=len(rows),
        imported_by=by if by is not None and by.is_authenticated else None,
    )
    OfficialResult.objects.bulk_create(
        (
            OfficialResult(
                batch=batch,
                contest=contest,
                station_id=row.station_id,
                registered=row.registered,
                ballots_issued=row.ballots_issued,
                ballots_in_boxes=row.ballots_in_boxes,
                invalid=row.invalid,
                valid=row.valid,
                votes=row.votes,
            )
            for row in rows
        ),
        batch_size=RESULT_CHUNK,
    )
    transaction.on_commit(lambda: results_changed(contest))
    return batch


def results_changed(contest: Contest) -> None:
    """What depends on official results: the forensic tests of the contest, and the count risk and
    forensic flags of the election's scores."""
    from counts.tasks import forensics_task

    forensics_task.delay(contest.pk)
    evidence_changed.send(sender=Contest, election_id=contest.election_id)
