"""The staff groups are kept in step by every migrate, with the permissions of every app, and the
admin addresses of the models that moved to people/ still lead there."""

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.management import call_command

from people.apps import groups_after_migrate

pytestmark = pytest.mark.django_db


def granted(group: str) -> set[tuple[str, str]]:
    return set(Group.objects.get(name=group).permissions.values_list("content_type__app_label", "codename"))


def test_a_migrate_gives_the_groups_the_permissions_of_every_app():
    Group.objects.all().delete()
    call_command("migrate", verbosity=0)
    coordinator = granted("Coordinator")
    assert {
        ("people", "change_membership"),
        ("people", "change_observertoken"),
        ("reports", "review_incidentreport"),
        ("partners", "add_partnerkey"),
        ("stations", "view_pollingstation"),
        ("counts", "view_contest"),
    } <= coordinator
    assert ("people", "change_membership") not in granted("Reviewer")
    assert ("people", "view_membership") in granted("Reviewer")
    assert {
        ("stations", "draw_sample"),
        ("stations", "add_pollingstation"),
        ("counts", "change_contest"),
        ("counts", "add_resultbatch"),
    } <= granted("Election administrator")


def test_the_groups_are_made_once_the_last_app_with_models_has_migrated():
    Group.objects.all().delete()
    first_app = apps.get_app_config("stations")
    groups_after_migrate(sender=first_app)
    assert not Group.objects.exists()
    with_models = [config for config in apps.get_app_configs() if config.models_module is not None]
    groups_after_migrate(sender=with_models[-1])
    assert set(Group.objects.values_list("name", flat=True)) == {
        "Coordinator",
        "Reviewer",
        "Election administrator",
    }


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/admin/reports/membership/", "/admin/people/membership/"),
        ("/admin/reports/organization/3/change/", "/admin/people/organization/3/change/"),
        ("/admin/reports/assignment/?station__district=2", "/admin/people/assignment/?station__district=2"),
        ("/admin/reports/observertoken/", "/admin/people/observertoken/"),
    ],
)
def test_an_old_admin_address_of_a_moved_model_leads_to_its_new_place(client, old, new):
    response = client.get(old)
    assert response.status_code == 302
    assert response["Location"] == new


def test_the_reports_own_admin_addresses_are_not_redirected(client, superuser):
    client.force_login(superuser)
    assert client.get("/admin/reports/incidentreport/").status_code == 200
