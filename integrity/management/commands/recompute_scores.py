from django.core.management.base import BaseCommand, CommandError

from core.errors import ApplicationError
from integrity.models import Coverage, DistrictScore, ScoreRunStatus
from integrity.scoring.explain import band_range
from integrity.services import scores_recompute
from stations.models import Election


class Command(BaseCommand):
    help = (
        "Recompute an election's integrity scores now and print each district's: score, 80 % interval, "
        "band, coverage grade. Without --seed the seed is derived from the inputs, so unchanged inputs "
        "give the same numbers."
    )

    def add_arguments(self, parser):
        parser.add_argument("--election", required=True, help="the election's slug")
        parser.add_argument("--seed", type=int, help="the Monte Carlo seed (a whole number of at least 0)")

    def handle(self, *args, election: str, seed: int | None, **options):
        try:
            chosen = Election.objects.get(slug=election)
        except Election.DoesNotExist:
            raise CommandError(f'No election with the slug "{election}".') from None
        try:
            run = scores_recompute(election_id=chosen.pk, seed=seed)
        except ApplicationError as error:
            raise CommandError(error.message) from None
        self.stdout.write(f"{chosen.name}: run {run.pk}, seed {run.seed}, {run.get_status_display()}.")
        if run.status == ScoreRunStatus.SUPERSEDED:
            self.stdout.write("A later run published first; its scores are shown.")
        self.stdout.write(
            f"{'#':>3}  {'District':<30} {'Score':>5}  {'80 % interval':<13}  {'Band':<16}  Coverage"
        )
        for score in DistrictScore.objects.filter(election=chosen).select_related("district"):
            self.stdout.write(line(score))


def line(score: DistrictScore) -> str:
    if score.score is None:
        figures = f"{'-':>5}  {'-':<13}  {'-':<16}"
    else:
        interval = f"{score.interval_80_low:.0f}-{score.interval_80_high:.0f}"
        band = score.band or band_range(score.band_high, score.band_low)
        figures = f"{score.score:>5.0f}  {interval:<13}  {band:<16}"
    grade = score.coverage if score.coverage != Coverage.INSUFFICIENT else Coverage.INSUFFICIENT.label
    return f"{score.district.number:>3}  {score.district.name[:30]:<30} {figures}  {grade}"
