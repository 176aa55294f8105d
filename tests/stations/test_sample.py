"""The random observation sample: the stratified allocation, the draw, the command, the admin."""

import io
from fractions import Fraction

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from stations.models import District, Election, PollingStation, Region, SampleDraw
from stations.services import SampleError, sample_allocation, sample_draw

# Stations per district in a list with small districts: 100 stations in all.
UNEVEN = {1: 40, 2: 25, 3: 20, 4: 10, 5: 3, 6: 2}
# Savepoint, election lock, station list, one UPDATE per 900 stations set, the draw row, release.
DRAW_QUERIES = 6
# The election list's own queries: two counts (paginator and total) and the page with its district,
# station and sample counts. Sign-in middleware adds its own, the same on every admin page.
ELECTION_CHANGELIST_QUERIES = 3


def build_stations(election, sizes: dict[int, int], *, reverse: bool = False) -> None:
    """`sizes[d]` stations numbered "<d>-<i>" in district d; `reverse` inserts them backwards."""
    region = Region.objects.create(election=election, name="Astana")
    District.objects.bulk_create(
        District(election=election, number=number, name=f"District {number}", region=region)
        for number in sizes
    )
    districts = {district.number: district for district in District.objects.filter(election=election)}
    stations = [
        PollingStation(
            election=election, number=f"{number}-{index:03d}", region=region, district=districts[number]
        )
        for number, count in sizes.items()
        for index in range(1, count + 1)
    ]
    PollingStation.objects.bulk_create(stations[::-1] if reverse else stations)


def sampled(election) -> list[str]:
    return sorted(
        PollingStation.objects.filter(election=election, in_sample=True).values_list("number", flat=True)
    )


def sampled_per_district(election) -> dict[int, int]:
    districts = District.objects.filter(election=election).with_station_counts()
    return {district.number: district.sample_count for district in districts}


def other_election() -> Election:
    return Election.objects.create(slug="test-2024", name="Test election 2024", date="2024-03-19")


def draw_command(*args: str) -> list[str]:
    out = io.StringIO()
    call_command("draw_sample", *args, stdout=out)
    return out.getvalue().splitlines()


def test_the_sample_is_proportional_to_district_size_with_at_least_the_minimum_in_each(election):
    build_stations(election, UNEVEN)

    draw = sample_draw(election=election, size=20, seed=5)

    drawn = sampled_per_district(election)
    assert drawn == {1: 7, 2: 4, 3: 3, 4: 2, 5: 2, 6: 2}
    assert draw.allocation == {str(number): count for number, count in drawn.items()}
    assert sum(drawn.values()) == draw.drawn == draw.size == 20
    for number, stations in UNEVEN.items():
        share = Fraction(20 * stations, 100)
        assert drawn[number] >= min(2, stations)
        assert drawn[number] == 2 or abs(drawn[number] - share) <= 1


@pytest.mark.parametrize(
    ("counts", "size", "minimum", "expected"),
    [
        pytest.param({1: 50, 2: 30, 3: 20}, 10, 2, {1: 5, 2: 3, 3: 2}, id="exact shares"),
        pytest.param({1: 7, 2: 7, 3: 6}, 10, 0, {1: 4, 2: 3, 3: 3}, id="a tie goes to the lower district"),
        pytest.param({1: 90, 2: 5, 3: 5}, 10, 2, {1: 6, 2: 2, 3: 2}, id="small districts raised to 2"),
        pytest.param({1: 90, 2: 1, 3: 9}, 10, 3, {1: 6, 2: 1, 3: 3}, id="minimum capped by the district"),
        pytest.param({1: 10, 2: 10, 3: 10, 4: 10}, 5, 2, {1: 2, 2: 1, 3: 1, 4: 1}, id="size too small for 2"),
        pytest.param({1: 10, 2: 10, 3: 10}, 2, 2, {1: 1, 2: 1, 3: 0}, id="size too small for 1"),
        pytest.param(UNEVEN, 100, 2, UNEVEN, id="every station"),
    ],
)
def test_the_allocation_uses_largest_remainders_and_the_minimum_the_size_allows(
    counts, size, minimum, expected
):
    assert sample_allocation(counts, size, minimum) == expected


def test_the_same_seed_draws_the_same_stations_and_another_seed_other_ones(election):
    build_stations(election, UNEVEN)
    later = other_election()
    build_stations(later, UNEVEN, reverse=True)

    sample_draw(election=election, size=20, seed=2023)
    first = sampled(election)
    sample_draw(election=election, size=20, seed=2023)
    sample_draw(election=later, size=20, seed=2023)

    assert len(first) == 20
    assert sampled(election) == first
    assert sampled(later) == first, "insertion order (and so primary keys) must not matter"
    sample_draw(election=election, size=20, seed=2024)
    assert sampled(election) != first
    assert len(sampled(election)) == 20


def test_a_published_seed_keeps_drawing_the_same_stations(make_station, election):
    # Pinned: a change to the ordering or the allocation would stop published samples from
    # re-running. Station numbers are text, and their order must not depend on a database collation.
    for number in ["10", "9", "B-2", "a-1", "77-1234", "\u00c4-3"]:
        make_station(number, district=1)
    for number in ["1", "2", "3"]:
        make_station(number, district=2)

    draw = sample_draw(election=election, size=4, seed=2023)

    assert draw.allocation == {"1": 2, "2": 2}
    assert sampled(election) == ["2", "3", "B-2", "\u00c4-3"]


def test_without_a_seed_it_records_a_fresh_one_that_repeats_the_draw(election, superuser):
    build_stations(election, UNEVEN)

    draw = sample_draw(election=election, size=20, by=superuser)
    first = sampled(election)
    other = sample_draw(election=election, size=20)
    sample_draw(election=election, size=20, seed=draw.seed)

    assert 0 <= draw.seed < 2**63
    assert other.seed != draw.seed
    assert (draw.drawn_by, other.drawn_by) == (superuser, None)
    assert sampled(election) == first


def test_drawing_again_replaces_the_sample_and_keeps_the_earlier_draw(election):
    build_stations(election, UNEVEN)
    later = other_election()
    build_stations(later, {1: 10})
    sample_draw(election=later, size=4, seed=1)
    untouched = sampled(later)
    first = sample_draw(election=election, size=30, seed=1)

    second = sample_draw(election=election, size=12, seed=2, min_per_district=1)

    assert len(sampled(election)) == 12
    assert sampled_per_district(election) == {int(k): v for k, v in second.allocation.items()}
    assert SampleDraw.objects.current(election) == second
    assert list(SampleDraw.objects.filter(election=election).values_list("pk", "size", "seed")) == [
        (second.pk, 12, 2),
        (first.pk, 30, 1),
    ]
    assert (second.min_per_district, second.method) == (1, SampleDraw.Method.PROPORTIONAL)
    assert sampled(later) == untouched


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"size": 0}, "The sample size must be at least 1, not 0."),
        ({"size": -3}, "The sample size must be at least 1, not -3."),
        ({"size": 101}, "The sample size cannot exceed the 100 stations of Test election 2023."),
        ({"size": 10, "seed": -1}, "The seed must be a whole number from 0 to 9223372036854775807."),
        ({"size": 10, "seed": 2**63}, "The seed must be a whole number from 0 to 9223372036854775807."),
        ({"size": 10, "min_per_district": -1}, "The minimum per district cannot be negative (-1)."),
    ],
)
def test_it_refuses_an_impossible_request_and_changes_nothing(election, arguments, message):
    build_stations(election, UNEVEN)
    sample_draw(election=election, size=20, seed=1)
    before = sampled(election)

    with pytest.raises(SampleError) as caught:
        sample_draw(election=election, **arguments)

    assert str(caught.value) == message
    assert sampled(election) == before
    assert SampleDraw.objects.count() == 1


def test_it_refuses_an_election_without_stations(election):
    with pytest.raises(
        SampleError, match=r"^Test election 2023 has no polling stations to draw a sample from\.$"
    ):
        sample_draw(election=election, size=1)

    assert not SampleDraw.objects.exists()


@pytest.mark.parametrize("stations", [20, 200])
def test_the_draw_takes_the_same_queries_for_20_and_200_stations(
    election, django_assert_num_queries, stations
):
    build_stations(election, dict.fromkeys(range(1, 5), stations // 4))

    with django_assert_num_queries(DRAW_QUERIES):
        sample_draw(election=election, size=stations // 2, seed=3)

    assert len(sampled(election)) == stations // 2


def test_the_database_refuses_a_negative_seed(election):
    draw = SampleDraw.objects.create(election=election, size=1, drawn=1, seed=1, min_per_district=2)

    with pytest.raises(IntegrityError), transaction.atomic():
        SampleDraw.objects.filter(pk=draw.pk).update(seed=-1)


def test_the_command_prints_the_seed_and_the_coverage_per_district(election):
    build_stations(election, UNEVEN)

    lines = draw_command("--election", election.slug, "--size", "20", "--seed", "77")

    assert lines == [
        "Seed: 77",
        "20 stations drawn into the sample of Test election 2023.",
        "district  stations  in sample   percent",
        "       1        40          7    17.5 %",
        "       2        25          4    16.0 %",
        "       3        20          3    15.0 %",
        "       4        10          2    20.0 %",
        "       5         3          2    66.7 %",
        "       6         2          2   100.0 %",
        "   total       100         20    20.0 %",
    ]
    assert SampleDraw.objects.get().seed == 77


def test_the_command_passes_the_minimum_per_district_on(election):
    build_stations(election, UNEVEN)

    draw_command("--election", election.slug, "--size", "20", "--min-per-district", "0")

    assert SampleDraw.objects.get().allocation == {"1": 8, "2": 5, "3": 4, "4": 2, "5": 1, "6": 0}


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            ["--election", "no-such-election", "--size", "5"],
            r"^No election with the slug 'no-such-election'\.$",
        ),
        (["--size", "0"], r"^The sample size must be at least 1, not 0\. Nothing was changed\.$"),
        (
            ["--size", "500"],
            r"^The sample size cannot exceed the 100 stations of Test election 2023\. Nothing",
        ),
        (["--size", "many"], r"argument --size: invalid int value: 'many'"),
    ],
)
def test_the_command_refuses_an_unknown_election_or_a_bad_size(election, arguments, message):
    build_stations(election, UNEVEN)
    if "--election" not in arguments:
        arguments = ["--election", election.slug, *arguments]

    with pytest.raises(CommandError, match=message):
        call_command("draw_sample", *arguments)

    assert not SampleDraw.objects.exists()
    assert sampled(election) == []


def draw_url(election_id: int) -> str:
    return reverse("admin:stations_election_draw_sample", args=[election_id])


def changelist_url() -> str:
    return reverse("admin:stations_election_changelist")


def test_the_admin_action_leads_to_the_form_and_draws_the_sample(client, superuser, election):
    build_stations(election, UNEVEN)
    client.force_login(superuser)

    response = client.post(changelist_url(), {"action": "draw_sample", "_selected_action": [election.pk]})
    assert (response.status_code, response["Location"]) == (302, draw_url(election.pk))
    form_page = client.get(response["Location"])
    response = client.post(draw_url(election.pk), {"size": "20", "seed": "4242", "min_per_district": "2"})

    content = form_page.content.decode()
    assert form_page.status_code == 200
    assert "Draw a random observation sample for Test election 2023" in content
    assert all(f'name="{name}"' in content for name in ("size", "seed", "min_per_district"))
    assert form_page.context["form"].initial == {"size": 30}
    assert (response.status_code, response["Location"]) == (302, changelist_url())
    assert sampled_per_district(election) == {1: 7, 2: 4, 3: 3, 4: 2, 5: 2, 6: 2}
    draw = SampleDraw.objects.get()
    assert (draw.seed, draw.size, draw.drawn_by) == (4242, 20, superuser)
    changelist = client.get(changelist_url()).content.decode()
    assert "20 stations drawn into the sample of Test election 2023 with seed 4242." in changelist
    assert '<td class="field-sample_coverage">20 of 100 stations (20.0 %)</td>' in changelist


def test_the_admin_message_shows_the_seed_it_picked(client, superuser, election):
    build_stations(election, UNEVEN)
    client.force_login(superuser)

    response = client.post(
        draw_url(election.pk), {"size": "10", "seed": "", "min_per_district": "2"}, follow=True
    )

    seed = SampleDraw.objects.get().seed
    assert (
        f"10 stations drawn into the sample of Test election 2023 with seed {seed}."
        in response.content.decode()
    )
    assert len(sampled(election)) == 10


def test_the_admin_form_shows_a_refusal_and_changes_nothing(client, superuser, election):
    build_stations(election, UNEVEN)
    client.force_login(superuser)

    response = client.post(draw_url(election.pk), {"size": "101", "seed": "", "min_per_district": "2"})

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "The sample size cannot exceed the 100 stations of Test election 2023."
    ]
    assert not SampleDraw.objects.exists()
    assert sampled(election) == []


def test_the_admin_action_asks_for_exactly_one_election(client, superuser, election):
    other_election()
    client.force_login(superuser)

    response = client.post(
        changelist_url(),
        {"action": "draw_sample", "_selected_action": list(Election.objects.values_list("pk", flat=True))},
        follow=True,
    )

    assert "Select exactly one election to draw a sample for." in response.content.decode()
    assert not SampleDraw.objects.exists()


@pytest.mark.parametrize(
    ("codenames", "offered", "shown", "posted", "drawn"),
    [
        (["view_election", "change_election"], False, 403, 403, 0),
        (["view_election", "draw_sample"], True, 200, 302, 5),
    ],
)
def test_the_admin_draw_needs_the_draw_sample_permission(
    client, election, codenames, offered, shown, posted, drawn
):
    build_stations(election, UNEVEN)
    staff = get_user_model().objects.create_user("clerk", password="pw-for-tests-only", is_staff=True)
    staff.user_permissions.set(
        Permission.objects.filter(content_type__app_label="stations", codename__in=codenames)
    )
    client.force_login(staff)

    changelist = client.get(changelist_url()).content.decode()
    assert ('<option value="draw_sample">' in changelist) is offered
    assert client.get(draw_url(election.pk)).status_code == shown
    assert client.post(draw_url(election.pk), {"size": "5", "min_per_district": "2"}).status_code == posted
    assert len(sampled(election)) == drawn


def test_the_admin_draw_page_answers_404_for_an_election_that_does_not_exist(client, superuser, election):
    client.force_login(superuser)

    assert client.get(draw_url(election.pk + 1000)).status_code == 404


@pytest.mark.parametrize("elections", [1, 5])
def test_the_election_changelist_shows_coverage_in_the_same_queries_for_1_and_5_elections(
    client, superuser, election, elections
):
    build_stations(election, {1: 4, 2: 4})
    PollingStation.objects.filter(number__in=["1-001", "2-001", "2-002"]).update(in_sample=True)
    for index in range(1, elections):
        Election.objects.create(slug=f"other-{index}", name=f"Other {index}", date="2024-01-01")
    client.force_login(superuser)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(changelist_url())

    content = response.content.decode()
    assert len([query for query in queries if "stations_" in query["sql"]]) == ELECTION_CHANGELIST_QUERIES
    assert len(response.context["cl"].result_list) == elections
    assert '<td class="field-sample_coverage">3 of 8 stations (37.5 %)</td>' in content
    assert content.count('<td class="field-sample_coverage">—</td>') == elections - 1


def test_the_sample_draw_admin_lists_draws_and_allows_no_edits(client, superuser, election):
    build_stations(election, UNEVEN)
    draw = sample_draw(election=election, size=10, seed=8, by=superuser)
    client.force_login(superuser)

    listing = client.get(reverse("admin:stations_sampledraw_changelist"))
    detail = client.post(reverse("admin:stations_sampledraw_change", args=[draw.pk]), {"seed": "9"})

    assert listing.status_code == 200
    assert '<td class="field-seed">8</td>' in listing.content.decode()
    assert client.get(reverse("admin:stations_sampledraw_add")).status_code == 403
    assert detail.status_code == 403
    assert SampleDraw.objects.get().seed == 8
