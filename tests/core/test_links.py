"""Paths reversed once and kept: the same answer as reverse(), per script prefix and URL conf."""

from django.urls import clear_script_prefix, reverse, set_script_prefix

from core.links import path_to, path_with_query


def test_a_kept_path_is_what_reverse_gives_with_and_without_arguments():
    assert path_to("admin:reports_incidentreport_changelist") == reverse(
        "admin:reports_incidentreport_changelist"
    )
    assert path_to("admin_dashboard_district", 7) == reverse("admin_dashboard_district", args=[7])
    assert path_to("admin_dashboard_district", 8) == reverse("admin_dashboard_district", args=[8])


def test_the_query_string_is_encoded_and_left_out_when_empty():
    listing = reverse("admin:reports_incidentreport_changelist")
    assert path_with_query("admin:reports_incidentreport_changelist") == listing
    assert (
        path_with_query("admin:reports_incidentreport_changelist", status__in="submitted,needs_info", q="a b")
        == f"{listing}?status__in=submitted%2Cneeds_info&q=a+b"
    )


def test_a_deployment_under_a_sub_path_gets_its_own_paths():
    plain = path_to("admin:reports_incidentreport_changelist")
    set_script_prefix("/baqylau/")
    try:
        assert path_to("admin:reports_incidentreport_changelist") == f"/baqylau{plain}"
    finally:
        clear_script_prefix()
    assert path_to("admin:reports_incidentreport_changelist") == plain


def test_another_url_conf_is_asked_afresh(settings):
    path_to("admin:reports_incidentreport_changelist")
    settings.ROOT_URLCONF = "tests.core.urls_elsewhere"
    assert path_to("elsewhere") == "/elsewhere/"
