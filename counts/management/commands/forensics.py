import json

from django.core.management.base import BaseCommand, CommandError

from core.errors import ApplicationError
from counts.forensic_runs import forensics_run
from counts.forensics.params import TESTS
from counts.models import Contest


class Command(BaseCommand):
    help = (
        "Run the election-forensics tests (integer percentages, the turnout/leader fingerprint, last "
        "and second digits, with Benjamini-Hochberg across districts) on a contest's current official "
        "results, and store the run. --json prints, per district, its number, name, stations, F and "
        "each test's statistic, p or z and flag, then the national summary. A statistical anomaly is "
        "not proof of fraud."
    )

    def add_arguments(self, parser):
        parser.add_argument("--election", required=True, help="the election's slug")
        parser.add_argument("--contest", required=True, help="the contest's code, e.g. party_list")
        parser.add_argument("--leader", help="the choice to test as the leader (default: most votes)")
        parser.add_argument("--seed", type=int, help="the seed of the random draws (default: from the file)")
        parser.add_argument("--json", action="store_true", dest="as_json", help="print the results as JSON")

    def handle(self, *args, election: str, contest: str, leader, seed, as_json: bool, **options):
        target = (
            Contest.objects.filter(election__slug=election, code=contest).select_related("election").first()
        )
        if target is None:
            raise CommandError(f"No contest {contest!r} in an election with the slug {election!r}.")
        if seed is not None and not 0 <= seed < 2**63:
            raise CommandError("The seed is a whole number from 0 to 2^63 - 1.")
        try:
            run = forensics_run(contest=target, leader=leader, seed=seed)
        except ApplicationError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(self.json_text(run) if as_json else self.table(run))

    @staticmethod
    def json_text(run) -> str:
        return json.dumps(
            {"election": run.contest.election.slug, "contest": run.contest.code, **run.results},
            indent=2,
            allow_nan=False,
        )

    @staticmethod
    def table(run) -> str:
        results = run.results
        lines = [
            f"Forensics of {run.contest.name} ({run.contest.code}), leader {run.leader}, seed {run.seed}, "
            f"{run.seconds:.1f} s. Flags after false-discovery control; - means not run.",
            f"{'district':>8}  {'stations':>8}  {'F':>4}  "
            + "  ".join(f"{name:>12}" for name in TESTS)
            + "  name",
        ]
        for item in [*results["districts"], results["national"]]:
            cells = []
            for name in TESTS:
                test = item[name]
                cells.append(f"{'-' if not test['ran'] else ('FLAG' if test['flagged'] else 'ok'):>12}")
            lines.append(
                f"{item['district']!s:>8}  {item['stations']:>8}  {item['F']:>4g}  "
                + "  ".join(cells)
                + f"  {item['name']}"
            )
        lines.append("A statistical anomaly is not proof: read docs/methodology.md before quoting a flag.")
        return "\n".join(lines)
