"""Forgetting a mission's observers: who they were goes, what they saw stays.

After the mission, an organization removes its observers' names, e-mail addresses, phone numbers,
accreditation numbers and photos (the files too), and every position they sent (reports' and
alerts' coordinates, alerts' notes), and the notes of the calls made to them. Each observer's
account keeps its reports, check-ins, turnout counts and protocol copies under a pseudonym, so the
evidence and the scores re-run to the same numbers; the account can no longer sign in. The
admin's log and the sign-in lockout's records lose the names too. Each run is an entry of the
append-only `Forgetting` trail.

Staff (reviewers, coordinators, superusers) are never forgotten this way: they are not observers.
"""

import uuid
from dataclasses import dataclass

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from core.redaction import whole_words
from core.signals import observers_forgotten
from counts.models import ProtocolCopy, TurnoutCount
from outreach.models import Alert
from people.models import Assignment, Membership, ObserverToken, Organization, Role, SignInCode
from reports.models import CheckIn, IncidentReport
from roster.models import Forgetting, RecontactCall
from stations.models import Election

PSEUDONYM_PREFIX = "forgotten-"
REMOVED = "[removed]"
LOG_BATCH = 1000
MIN_WORD = 3


@dataclass
class Identity:
    """What is about to be removed from one observer, to find it again in free text."""

    username: str
    pseudonym: str
    words: list[str]


def observers_to_forget(organization: Organization, election: Election) -> QuerySet[Membership]:
    """The organization's observers who worked in the election (assigned there, or sent anything),
    not yet forgotten, and holding no staff role anywhere."""
    user = OuterRef("user_id")
    worked = (
        Exists(Assignment.objects.filter(membership=OuterRef("pk"), station__election=election))
        | Exists(CheckIn.objects.filter(observer=user, election=election))
        | Exists(IncidentReport.objects.filter(observer=user, election=election))
        | Exists(TurnoutCount.objects.filter(observer=user, election=election))
        | Exists(ProtocolCopy.objects.filter(observer=user, election=election))
    )
    staff = Membership.objects.filter(user=user, role__in=[Role.REVIEWER, Role.COORDINATOR])
    return (
        Membership.objects.filter(organization=organization, role=Role.OBSERVER)
        .filter(worked)
        .exclude(Exists(staff))
        .exclude(Q(user__is_staff=True) | Q(user__is_superuser=True))
        .exclude(user__username__startswith=PSEUDONYM_PREFIX)
        .select_related("user")
    )


def identity_of(member: Membership) -> Identity:
    user = member.user
    words = [user.first_name, user.last_name, user.get_full_name(), user.email, member.phone]
    words += [member.accreditation_number]
    return Identity(
        username=user.username,
        pseudonym=f"{PSEUDONYM_PREFIX}{uuid.uuid4().hex[:12]}",
        # A name of one or two letters would match all over the log; it is still removed from the rows.
        words=[word.strip() for word in words if word and len(word.strip()) >= MIN_WORD],
    )


@transaction.atomic
def observers_forget(*, organization: Organization, election: Election, actor: str = "") -> Forgetting:
    """Forget the organization's observers of this election (see the module's description)."""
    members = list(observers_to_forget(organization, election))
    identities = [identity_of(member) for member in members]
    photos = [member.accreditation_photo.name for member in members if member.accreditation_photo]
    users = [member.user for member in members]
    forget_accounts(members, identities)
    positions = forget_positions(users, members, organization, election)
    scrub_logs(identities)
    # Apps above this one that keep names in their own texts (complaints) take them out too.
    observers_forgotten.send(
        sender=Forgetting,
        organization_id=organization.pk,
        user_ids=[user.pk for user in users],
        replacements=replacements_for(identities),
    )
    # Files are not part of the transaction: they go once the rows no longer point at them.
    storage = Membership._meta.get_field("accreditation_photo").storage
    transaction.on_commit(lambda: delete_files(storage, photos))
    return Forgetting.objects.create(
        organization=organization,
        election=election,
        observers=len(members),
        photos=len(photos),
        positions=positions,
        pseudonyms=sorted(identity.pseudonym for identity in identities),
        actor=actor,
    )


def delete_files(storage, names: list[str]) -> None:
    for name in names:
        storage.delete(name)


def forget_accounts(members: list[Membership], identities: list[Identity]) -> None:
    """Names, e-mail, phone and accreditation go; the account stays, under a pseudonym, closed."""
    now = timezone.now()
    users = [member.user for member in members]
    for user, identity in zip(users, identities, strict=True):
        user.username = identity.pseudonym
        user.first_name = user.last_name = user.email = ""
        user.password = make_password(None)
        user.is_active = False
    get_user_model().objects.bulk_update(
        users, ["username", "first_name", "last_name", "email", "password", "is_active"], batch_size=500
    )
    Membership.objects.filter(pk__in=[member.pk for member in members]).update(
        phone="", accreditation_number="", accreditation_photo=""
    )
    ObserverToken.objects.filter(user__in=users, revoked_at__isnull=True).update(revoked_at=now)
    SignInCode.objects.filter(membership__in=members, revoked_at__isnull=True, used_at__isnull=True).update(
        revoked_at=now
    )
    usernames = [identity.username for identity in identities]
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        model.objects.filter(username__in=usernames).delete()


def forget_positions(
    users: list, members: list[Membership], organization: Organization, election: Election
) -> int:
    """Every position the observers sent, and the free-text notes that may say where or who they were."""
    reports = IncidentReport.objects.filter(observer__in=users, election=election).exclude(
        latitude__isnull=True, longitude__isnull=True
    )
    positions = reports.update(latitude=None, longitude=None, accuracy_m=None)
    alerts = Alert.objects.filter(membership__in=members)
    positions += alerts.exclude(latitude__isnull=True, longitude__isnull=True).count()
    alerts.update(latitude=None, longitude=None, note="", acknowledgement_note="", resolution_note="")
    RecontactCall.objects.filter(organization=organization, election=election).update(note="")
    return positions


def replacements_for(identities: list[Identity]) -> dict[str, str]:
    """Each name, address and number of the forgotten, and what takes its place in free text."""
    replacements = {}
    for identity in identities:
        replacements.update(dict.fromkeys(identity.words, REMOVED))
        replacements[identity.username] = identity.pseudonym
    return replacements


def scrub_logs(identities: list[Identity]) -> None:
    """The admin's log names rows as they were (a membership is "name (Observer, organization)"):
    each name, address and number found there is replaced."""
    replacements = replacements_for(identities)
    if not replacements:
        return
    scrub = whole_words(replacements)
    changed = []
    for entry in LogEntry.objects.only("object_repr", "change_message").iterator(chunk_size=LOG_BATCH):
        repr_text, message = scrub(entry.object_repr), scrub(entry.change_message)
        if (repr_text, message) != (entry.object_repr, entry.change_message):
            entry.object_repr, entry.change_message = repr_text, message
            changed.append(entry)
    LogEntry.objects.bulk_update(changed, ["object_repr", "change_message"], batch_size=LOG_BATCH)
