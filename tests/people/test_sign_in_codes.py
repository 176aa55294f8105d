"""One-time sign-in codes: issued by coordinators, stored hashed, working once, expiring, revoked by
a new issue (and the phone's tokens with it when asked), locked out like passwords; the API, the
/observe/ page, the command and the admin action, each with its role matrix."""

import csv
import hashlib
import io
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from core.errors import NotFound
from people.codes import ALPHABET, CODE_LENGTH, codes_issue, group_code
from people.models import Membership, ObserverToken, Role, SignInCode
from people.services import token_issue
from tests.reports.test_review_admin import in_group

pytestmark = pytest.mark.django_db

WRONG = (
    "This sign-in code is wrong, already used or expired. Check it, or ask your coordinator for a new one."
)
LOCKED = "Too many failed sign-ins. Try again in 15 minutes, or ask your coordinator."
CODE_URL = "/api/v1/auth/code/"


def issue(user, *, by=None, revoke_tokens=False) -> str:
    memberships = Membership.objects.filter(user=user)
    (issued,) = codes_issue(memberships=memberships, by=by, revoke_tokens=revoke_tokens)
    return issued.code


def redeem(client, code: str, **extra):
    return client.post(CODE_URL, {"code": code}, content_type="application/json", **extra)


def error(response) -> dict:
    return response.json()["error"]


# --- The codes ---------------------------------------------------------------------------------


def test_a_code_has_twelve_characters_without_look_alikes_and_only_its_hash_is_stored(observer):
    code = issue(observer)

    assert len(code) == CODE_LENGTH and set(code) <= set(ALPHABET)
    assert not set("0O1IL5S2Z8B") & set(ALPHABET)
    row = SignInCode.objects.get()
    assert row.code_hash == hashlib.sha256(code.encode()).hexdigest()
    assert code not in str(list(SignInCode.objects.values_list()))


def test_it_is_valid_for_the_configured_number_of_days(observer, settings):
    settings.SIGN_IN_CODE_DAYS = 3
    before = timezone.now()

    issue(observer)

    expires = SignInCode.objects.get().expires_at
    assert before + timedelta(days=3) <= expires <= timezone.now() + timedelta(days=3)


def test_members_of_staff_get_no_codes(coordinator, organization):
    assert codes_issue(memberships=Membership.objects.filter(user=coordinator), by=None) == []


def test_only_a_coordinator_of_the_observers_organization_may_issue(
    observer, other_organization, make_member, organization, superuser
):
    reviewer = make_member("reviewer-a", organization, role=Role.REVIEWER, is_staff=True)
    elsewhere = make_member("coordinator-b", other_organization, role=Role.COORDINATOR, is_staff=True)
    for user in (reviewer, elsewhere, observer):
        with pytest.raises(NotFound):
            issue(observer, by=user)
    assert not SignInCode.objects.exists()
    coordinator = make_member("coordinator-a", organization, role=Role.COORDINATOR, is_staff=True)

    issue(observer, by=coordinator)
    issue(observer, by=superuser)

    assert SignInCode.objects.filter(issued_by=coordinator).count() == 1


# --- The API -----------------------------------------------------------------------------------


def test_a_code_signs_in_once_and_never_again(client, observer):
    code = issue(observer)

    first = redeem(client, code)
    second = redeem(client, code)

    assert first.status_code == 201
    assert set(first.json()) == {"token", "expires_at", "username"}
    assert first.json()["username"] == "observer-a"
    me = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {first.json()['token']}")
    assert me.status_code == 200 and me.json()["username"] == "observer-a"
    assert second.status_code == 400
    assert error(second) == {"code": "invalid_code", "message": WRONG}
    assert ObserverToken.objects.filter(user=observer).count() == 1
    assert SignInCode.objects.get().used_at is not None


def test_the_code_may_be_typed_in_groups_and_in_small_letters(client, observer):
    code = issue(observer)

    response = redeem(client, " " + group_code(code).lower().replace("-", " - ") + " ")

    assert response.status_code == 201


@pytest.mark.parametrize("case", ["expired", "revoked", "reissued", "inactive user", "nonsense", "empty"])
def test_a_code_that_cannot_be_used_is_refused_with_a_clear_400(client, observer, case):
    code = issue(observer)
    if case == "expired":
        SignInCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    elif case == "revoked":
        SignInCode.objects.update(revoked_at=timezone.now())
    elif case == "reissued":
        issue(observer)
    elif case == "inactive user":
        type(observer).objects.filter(pk=observer.pk).update(is_active=False)
    elif case == "nonsense":
        code = "not a code at all"

    response = redeem(client, "" if case == "empty" else code)

    assert response.status_code == 400
    if case != "empty":
        assert error(response) == {"code": "invalid_code", "message": WRONG}
    assert not ObserverToken.objects.exists()


def test_issuing_again_revokes_the_earlier_code_but_keeps_the_phone_signed_in(client, observer):
    old = issue(observer)
    _token, key = token_issue(user=observer)

    new = issue(observer)

    assert redeem(client, old).status_code == 400
    assert client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200
    assert redeem(client, new).status_code == 201


def test_a_lost_phone_reissue_revokes_the_old_tokens(client, observer, other_observer):
    _token, key = token_issue(user=observer)
    _other_token, other_key = token_issue(user=other_observer)

    new = issue(observer, revoke_tokens=True)

    assert client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401
    assert client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {other_key}").status_code == 200
    signed_in = redeem(client, new)
    assert (
        client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {signed_in.json()['token']}").status_code == 200
    )


def test_wrong_codes_lock_the_address_out_like_wrong_passwords(client, observer):
    code = issue(observer)
    wrong = "ACEF-GHJK-MNPR"

    statuses = [redeem(client, wrong).status_code for _ in range(5)]
    right = redeem(client, code)

    assert statuses == [400, 400, 400, 400, 429]
    assert right.status_code == 429
    assert error(right) == {"code": "locked_out", "message": LOCKED}
    assert SignInCode.objects.get().used_at is None
    # Another address is not locked out by these guesses: a room of observers is not shut out by one.
    assert redeem(client, code, REMOTE_ADDR="198.51.100.7").status_code == 201


def test_a_good_code_clears_the_addresss_earlier_typos(client, observer, unassigned_observer):
    code, other = issue(observer), issue(unassigned_observer)
    for _ in range(4):
        redeem(client, "ACEF-GHJK-MNPR")

    assert redeem(client, code).status_code == 201
    assert not AccessAttempt.objects.exists()
    assert [redeem(client, "ACEF-GHJK-MNPR").status_code for _ in range(4)] == [400] * 4
    assert redeem(client, other).status_code == 201


# --- The /observe/ page -----------------------------------------------------------------------


def test_the_sign_in_page_offers_the_code_and_its_script(client):
    page = client.get("/observe/login/").text

    assert 'action="/observe/login/code/"' in page
    assert 'name="code" id="id_sign_in_code"' in page
    assert "observe/sign_in_code" in page


def test_the_page_signs_in_with_a_code_once(client, observer):
    code = issue(observer)

    first = client.post("/observe/login/code/", {"code": group_code(code)})

    assert (first.status_code, first["Location"]) == (302, "/observe/")
    assert client.session["_auth_user_id"] == str(observer.pk)
    assert client.get("/observe/").status_code == 200
    client.logout()
    second = client.post("/observe/login/code/", {"code": code})
    assert second.status_code == 400
    assert WRONG in second.text
    assert "_auth_user_id" not in client.session


def test_the_page_locks_out_after_five_wrong_codes(client, observer):
    code = issue(observer)

    statuses = [client.post("/observe/login/code/", {"code": "ACEFGHJKMNPR"}).status_code for _ in range(5)]
    right = client.post("/observe/login/code/", {"code": code})

    assert statuses == [400, 400, 400, 400, 429]
    assert right.status_code == 429 and LOCKED in right.text
    assert "_auth_user_id" not in client.session


def test_the_page_answers_a_get_with_405(client):
    assert client.get("/observe/login/code/").status_code == 405


# --- The command -------------------------------------------------------------------------------


def test_the_command_prints_a_csv_line_per_observer_with_a_working_code(
    client, observer, unassigned_observer, coordinator, tmp_path
):
    type(observer).objects.filter(pk=observer.pk).update(first_name="Айгерим", last_name="Нұрланова")
    out, err = io.StringIO(), io.StringIO()

    call_command(
        "observer_codes",
        "--organization",
        "honest-count",
        "--cards",
        str(tmp_path / "c.pdf"),
        stdout=out,
        stderr=err,
    )

    lines = list(csv.reader(io.StringIO(out.getvalue())))
    assert lines[0] == ["username", "full_name", "code"]
    assert [line[:2] for line in lines[1:]] == [["observer-a", "Айгерим Нұрланова"], ["observer-c", ""]]
    assert redeem(client, lines[1][2]).json()["username"] == "observer-a"
    assert (tmp_path / "c.pdf").read_bytes().startswith(b"%PDF")
    assert "2 cards written" in err.getvalue()


def test_the_command_issues_only_to_the_named_observers_and_can_sign_out_their_phones(
    observer, unassigned_observer
):
    _token, _key = token_issue(user=observer)
    out = io.StringIO()

    call_command(
        "observer_codes",
        "--organization",
        "honest-count",
        "--usernames",
        "observer-a",
        "--revoke-tokens",
        stdout=out,
    )

    assert [line.split(",")[0] for line in out.getvalue().splitlines()] == ["username", "observer-a"]
    assert not ObserverToken.objects.usable().exists()
    assert not SignInCode.objects.filter(membership__user=unassigned_observer).exists()


def test_the_command_refuses_names_that_are_not_its_observers(observer, other_observer, coordinator):
    with pytest.raises(CommandError, match="Not observers of Honest Count: coordinator-a, observer-b"):
        call_command(
            "observer_codes",
            "--organization",
            "honest-count",
            "--usernames",
            "observer-a,observer-b,coordinator-a",
        )
    assert not SignInCode.objects.exists()


# --- The admin action and the cards download ----------------------------------------------------

CHANGELIST = "admin:people_membership_changelist"
CARDS = "admin:people_membership_cards"


@pytest.fixture
def people(organization, other_organization, observer, other_observer, make_member, superuser):
    return {
        "anonymous": None,
        "observer": observer,
        "other observer": other_observer,
        "reviewer": in_group(
            make_member("reviewer-a", organization, role=Role.REVIEWER, is_staff=True), "Reviewer"
        ),
        "coordinator": in_group(
            make_member("coordinator-a", organization, role=Role.COORDINATOR, is_staff=True), "Coordinator"
        ),
        "other coordinator": in_group(
            make_member("coordinator-b", other_organization, role=Role.COORDINATOR, is_staff=True),
            "Coordinator",
        ),
        "superuser": superuser,
    }


def act(client, memberships, **extra):
    data = {"action": "issue_sign_in_codes", "_selected_action": [m.pk for m in memberships], **extra}
    return client.post(reverse(CHANGELIST), data)


def as_user(client, people, who):
    if people[who] is not None:
        client.force_login(people[who])
    return client


# Outside the admin: sent to its login. A reviewer is not offered the action: the list again.
# Another organization's coordinator does not reach the observer: back to the list with a warning.
@pytest.mark.parametrize(
    ("who", "issued", "status"),
    [
        ("anonymous", False, 302),
        ("observer", False, 302),
        ("other observer", False, 302),
        ("reviewer", False, 200),
        ("other coordinator", False, 302),
        ("coordinator", True, 200),
        ("superuser", True, 200),
    ],
)
def test_only_a_coordinator_of_the_organization_issues_codes_in_the_admin(
    client, people, observer, who, issued, status
):
    as_user(client, people, who)
    memberships = Membership.objects.filter(user=observer)

    confirm = act(client, memberships)
    done = act(client, memberships, confirmed="yes")

    assert SignInCode.objects.filter(membership__user=observer).exists() is issued
    assert done.status_code == status
    if issued:
        assert confirm.status_code == 200 and "observer-a" in confirm.text
        assert "no-store" in done["Cache-Control"] and "issued" in done.context
    elif who in ("anonymous", "observer", "other observer"):
        assert done["Location"].startswith(reverse("admin:login"))
    else:
        assert "issued" not in (done.context or {})


def test_the_admin_shows_each_code_once_and_the_cards_download_draws_them(
    client, people, observer, unassigned_observer
):
    as_user(client, people, "coordinator")
    _token, key = token_issue(user=observer)
    memberships = Membership.objects.filter(user__in=[observer, unassigned_observer])

    confirm = act(client, memberships)
    done = act(client, memberships, confirmed="yes", revoke_tokens="on")

    assert "Also sign out their phones" in confirm.text
    shown = {item.membership.user.username: item.code for item in done.context["issued"]}
    assert set(shown) == {"observer-a", "observer-c"}
    assert all(group_code(code) in done.text for code in shown.values())
    assert client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401
    cards = client.post(reverse(CARDS), {"codes": done.context["codes"]})
    assert cards.status_code == 200
    assert cards["Content-Type"] == "application/pdf" and "no-store" in cards["Cache-Control"]
    assert cards.content.startswith(b"%PDF")
    # Opening the page again shows no code: nothing but their hashes was kept.
    assert not any(code in client.get(reverse(CHANGELIST)).text for code in shown.values())


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 302),
        ("observer", 302),
        ("reviewer", 403),
        ("other coordinator", 400),
        ("coordinator", 200),
        ("superuser", 200),
    ],
)
def test_the_cards_of_an_organizations_codes_are_for_its_coordinators_only(
    client, people, observer, who, status
):
    code = issue(observer)
    as_user(client, people, who)

    response = client.post(reverse(CARDS), {"codes": code})

    assert response.status_code == status


def test_the_cards_of_a_used_code_are_refused(client, people, observer):
    code = issue(observer)
    redeem(client, code)
    as_user(client, people, "coordinator")

    response = client.post(reverse(CARDS), {"codes": code})

    assert response.status_code == 400
    assert "Issue new codes" in response.text
