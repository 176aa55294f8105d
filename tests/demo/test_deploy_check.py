"""`manage.py check --deploy` refuses a database that holds the demo's public credentials, and
`seed_demo` does not load them into a production instance by accident."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError, SystemCheckError

from demo.partner_keys import demo_key_prefix, ensure_demo_partner
from partners.keys import key_revoke
from partners.models import PartnerKey

pytestmark = pytest.mark.django_db


def deploy_check() -> str:
    """The errors `check --deploy` stops on, or "" when it passes."""
    try:
        call_command("check", "--deploy", verbosity=0)
    except SystemCheckError as exc:
        return str(exc)
    return ""


def test_the_demo_partner_key_fails_the_deploy_check_until_it_is_revoked(organization, settings):
    key = ensure_demo_partner(organization=organization)
    assert "baqylau.E001" in deploy_check()
    key_revoke(prefix=key.prefix)
    assert "baqylau.E001" not in deploy_check()


def test_a_staff_account_with_the_demo_password_fails_the_deploy_check_until_it_changes(settings):
    user = get_user_model().objects.create_user("coordinator", password=settings.DEMO_PASSWORD, is_staff=True)
    get_user_model().objects.create_user("observer1", password=settings.DEMO_PASSWORD)
    errors = deploy_check()
    assert "baqylau.E002" in errors
    assert "coordinator" in errors and "observer1" not in errors
    user.set_password("a long and private passphrase")
    user.save()
    assert deploy_check() == ""


def test_an_instance_without_demo_data_passes_the_demo_checks():
    assert "baqylau.E00" not in deploy_check()


def test_seed_demo_refuses_a_production_instance_without_the_demo_flag(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--allow-demo-in-production"):
        call_command("seed_demo", verbosity=0)
    assert not PartnerKey.objects.filter(prefix=demo_key_prefix(settings.DEMO_PARTNER_KEY)).exists()
    assert not get_user_model().objects.exists()
