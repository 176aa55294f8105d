from django.core.management.base import BaseCommand, CommandError

from stations.models import District, Election
from stations.services import SampleError, sample_draw


def percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f} %" if whole else "—"


class Command(BaseCommand):
    help = (
        "Draw a random observation sample of N polling stations, stratified by district in "
        "proportion to each district's station count, and mark it as the election's sample "
        "(replacing any earlier one). Prints the seed: the same seed and station list draw the "
        "same stations again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--election", required=True, help="the election's slug")
        parser.add_argument("--size", required=True, type=int, help="how many stations to draw")
        parser.add_argument("--seed", type=int, help="repeat a draw with this seed (default: a fresh one)")
        parser.add_argument(
            "--min-per-district",
            type=int,
            default=2,
            help="stations every district gets at least, if the size allows (default: 2)",
        )

    def handle(self, *args, election: str, size: int, seed: int | None, min_per_district: int, **options):
        try:
            target = Election.objects.get(slug=election)
        except Election.DoesNotExist:
            raise CommandError(f"No election with the slug {election!r}.") from None
        try:
            draw = sample_draw(election=target, size=size, seed=seed, min_per_district=min_per_district)
        except SampleError as exc:
            raise CommandError(f"{exc} Nothing was changed.") from None
        self.stdout.write(f"Seed: {draw.seed}")
        self.stdout.write(
            self.style.SUCCESS(f"{draw.drawn} stations drawn into the sample of {target.name}.")
        )
        self.write_coverage(target)

    def write_coverage(self, election: Election) -> None:
        districts = District.objects.filter(election=election).with_station_counts().order_by("number")
        rows = [(str(d.number), d.station_count, d.sample_count) for d in districts]
        rows.append(("total", sum(row[1] for row in rows), sum(row[2] for row in rows)))
        self.stdout.write(f"{'district':>8}  {'stations':>8}  {'in sample':>9}  {'percent':>8}")
        for label, stations, sampled in rows:
            self.stdout.write(f"{label:>8}  {stations:>8}  {sampled:>9}  {percent(sampled, stations):>8}")
