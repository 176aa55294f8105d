"""A new password ends the phones' sign-ins: whoever knew the old one keeps no working token."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from rest_framework.test import APIClient

from people.models import ObserverToken
from people.services import token_issue

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a new and longer passphrase"
PASSWORD = "pw-for-tests-only"  # every test user's (tests/conftest.py)


@pytest.fixture
def tokens(observer, other_observer):
    """Two tokens of the observer's phones, and one of another observer."""
    return {
        "mine": [token_issue(user=observer)[0] for _ in range(2)],
        "theirs": token_issue(user=other_observer)[0],
    }


def usable_of(user) -> int:
    return ObserverToken.objects.usable().filter(user=user).count()


def test_setting_a_new_password_and_saving_revokes_the_users_tokens(observer, other_observer, tokens):
    observer.set_password(NEW_PASSWORD)
    observer.save()
    assert usable_of(observer) == 0
    assert usable_of(other_observer) == 1


def test_saving_only_the_password_field_revokes_the_tokens_too(observer, tokens):
    observer.set_password(NEW_PASSWORD)
    observer.save(update_fields=["password"])
    assert usable_of(observer) == 0


def test_turning_the_password_off_revokes_the_tokens(observer, tokens):
    observer.set_unusable_password()
    observer.save()
    assert usable_of(observer) == 0


def test_saving_the_user_without_a_new_password_keeps_the_tokens(client, observer, tokens):
    observer.first_name = "Aigerim"
    observer.save()
    # Signing in writes last_login on the user: it changes no password.
    client.post("/observe/login/", {"username": "observer-a", "password": "pw-for-tests-only"})
    assert usable_of(observer) == 2


def test_a_superuser_setting_a_password_in_the_admin_revokes_the_tokens(client, superuser, observer, tokens):
    client.force_login(superuser)
    url = reverse("admin:auth_user_password_change", args=[observer.pk])
    data = {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"}
    response = client.post(url, data)
    assert response.status_code == 302
    assert get_user_model().objects.get(pk=observer.pk).check_password(NEW_PASSWORD)
    assert usable_of(observer) == 0


def test_changing_ones_own_password_in_the_password_change_view_revokes_the_tokens(client, coordinator):
    token_issue(user=coordinator)
    client.force_login(coordinator)
    data = {"old_password": "pw-for-tests-only", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    response = client.post(reverse("admin:password_change"), data)
    assert response.status_code == 302
    assert usable_of(coordinator) == 0


def test_a_revoked_token_keeps_its_first_revocation_time(observer, tokens):
    first = tokens["mine"][0]
    first.revoked_at = first.created_at
    first.save(update_fields=["revoked_at"])
    observer.set_password(NEW_PASSWORD)
    observer.save()
    first.refresh_from_db()
    assert first.revoked_at == first.created_at


def test_the_same_password_hashed_anew_at_sign_in_keeps_the_phones_signed_in(settings, observer, tokens):
    api = APIClient()
    # A stronger hasher put first: Django upgrades the stored hash when the password is next checked.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    old_hash = get_user_model().objects.get(pk=observer.pk).password

    response = api.post(
        "/api/v1/auth/token/", {"username": observer.username, "password": PASSWORD}, format="json"
    )

    assert response.status_code == 201
    new_hash = get_user_model().objects.get(pk=observer.pk).password
    assert old_hash.startswith("md5$") and new_hash.startswith("pbkdf2_sha256$")
    assert usable_of(observer) == 3  # the two phones, and the one that just signed in
