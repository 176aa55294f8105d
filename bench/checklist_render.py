"""How fast a checklist of 60 questions is drawn on a small phone, measured in the browser.

    .venv/bin/python bench/checklist_render.py [--loads 30] [--cpu-slowdown 4] [--record] [--screenshot PNG]

Builds a throw-away SQLite database holding an observer, a station and a published checklist of 60
questions in 6 sections: every kind (yes/no, one choice, several choices, whole number with a range,
time, text, photo), 18 of them shown only on an earlier answer, critical answers and consistency
rules, with labels in Kazakh, Russian and English. It serves the site on loopback (Django's live
server thread, static files included, the test settings: plain static names, no HTTPS), signs the
observer in in Chromium at 360 x 740 px and opens the checklist's page --loads times, each a fresh
load after a few warm-ups, service workers off so that every load comes from the server.

Measured in the page with performance marks that observe/checklists.js sets, read through a
PerformanceObserver: from DOMContentLoaded (navigation timing's domContentLoadedEventStart; the
script starts drawing in that event) to the form drawn from the embedded definition, the draft
looked for and every handler bound ("checklist-ready"), and to the first frame that shows it (a
requestAnimationFrame and the task after it: "checklist-painted"); beside them, the navigation's
start to that frame. Median and 95th percentile, first at the machine's full speed, then with
Chromium's CPU slowed --cpu-slowdown times (DevTools' emulation; a mid-range phone's core is several
times slower than a laptop's). Target: painted within 300 ms of DOMContentLoaded (median and p95),
at both speeds. `--record` writes the figures into docs/benchmarks.md, replacing only this section.
"""

import argparse
import os
import platform
import statistics
import sys
import tempfile
from datetime import date
from pathlib import Path

from _record import BENCHMARKS_MD, record_section

ROOT = Path(__file__).resolve().parent.parent
HEADING = "## Checklist on a phone (60 questions, 360 px)"
TARGET_MS = 300.0
WARMUPS = 3
PASSWORD = "benchmark-only-password"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SMALL_PHONE = {"width": 360, "height": 740}
SECTIONS = 6
# The ten questions of every section: (kind, shown only if (question index, answer) or None).
SHAPE = [
    ("yes_no", None),
    ("choice", None),
    ("choices", None),
    ("number", None),
    ("time", None),
    ("text", None),
    ("photo", None),
    ("text", (0, "false")),
    ("number", (1, "b")),
    ("yes_no", (2, "c")),
]
LABELS = {
    "en": "Section {s}, question {q}: was the ballot box sealed and empty, as the observers could see?",
    "ru": "Раздел {s}, вопрос {q}: была ли урна опечатана и пуста, как могли видеть наблюдатели?",
    "kk": "{s}-бөлім, {q}-сұрақ: бақылаушылар көргендей, сайлау жәшігі мөрленіп, бос болды ма?",  # noqa: RUF001
}
TITLES = {"en": "Part {s}", "ru": "Часть {s}", "kk": "{s}-бөлік"}
CHOICE_LABELS = {"en": "Answer {code}", "ru": "Ответ {code}", "kk": "{code} жауабы"}
CRITICAL = {"critical_values": "false", "critical_severity": 3, "critical_category": "procedural"}
MEASURE = """() => new Promise((resolve) => {
  new PerformanceObserver((list, observer) => {
    if (!list.getEntriesByName("checklist-painted").length) return;
    observer.disconnect();
    const nav = performance.getEntriesByType("navigation")[0];
    const at = (name) => performance.getEntriesByName(name)[0].startTime;
    resolve({
      ready: at("checklist-ready") - nav.domContentLoadedEventStart,
      painted: at("checklist-painted") - nav.domContentLoadedEventStart,
      from_start: at("checklist-painted") - nav.startTime,
      questions: document.querySelectorAll("[data-questions] .cq").length,
      shown: document.querySelectorAll("[data-questions] .cq:not([hidden])").length,
    });
  }).observe({ type: "mark", buffered: true });
})"""


def setup(directory: str) -> None:
    """Django on a throw-away database, with the test settings (plain static files, no HTTPS)."""
    os.environ["DATABASE_URL"] = f"sqlite:///{Path(directory) / 'bench.sqlite3'}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.test_settings"
    os.environ["DJANGO_LOG_LEVEL"] = "WARNING"
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop in this thread
    sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def texts(field: str, template: str, **values) -> dict[str, str]:
    return {f"{field}_{language}": text.format(**values) for language, text in template.items()}


def build_checklist(election, organization):
    """60 questions, 6 sections of SHAPE, published through the builder's service."""
    from checklists.models import Checklist, Choice, ConsistencyRule, Question, Section
    from checklists.services import checklist_publish

    checklist = Checklist.objects.create(
        organization=organization, election=election, code="opening", phase="opening",
        name_en="Opening of the polling station", name_ru="Открытие участка", name_kk="Учаскенің ашылуы",
    )  # fmt: skip
    for s in range(SECTIONS):
        section = Section.objects.create(checklist=checklist, order=s, **texts("title", TITLES, s=s + 1))
        for q, (kind, condition) in enumerate(SHAPE):
            fields = texts("label", LABELS, s=s + 1, q=q + 1)
            if condition:
                fields |= {"show_if_question": f"s{s}q{condition[0]}", "show_if_equals": condition[1]}
            if kind == "number":
                fields |= {"min_value": 0, "max_value": 5000}
            if q == 0:
                fields |= CRITICAL
            question = Question.objects.create(
                checklist=checklist, section=section, order=q, code=f"s{s}q{q}", kind=kind,
                required=q in (0, 1, 3), **fields,
            )  # fmt: skip
            for order, code in enumerate("abcd"[: {"choice": 3, "choices": 4}.get(kind, 0)]):
                Choice.objects.create(
                    question=question, order=order, code=code, **texts("label", CHOICE_LABELS, code=code)
                )
        if s:
            ConsistencyRule.objects.create(
                checklist=checklist, order=s, left=f"s{s}q3", operator="<=", right="s0q3",
                message_en="More than the first count.", message_ru="Больше первого счёта.",
            )  # fmt: skip
    return checklist_publish(checklist=checklist, by=None)


def build_site():
    """An observer of one organization at one station of an election held today; the checklist."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from people.models import Assignment, Membership, Organization, Role
    from stations.models import District, Election, PollingStation, Region

    election = Election.objects.create(
        slug="bench-2023", name="Benchmark election", date=timezone.localdate()
    )
    region = Region.objects.create(election=election, name="Almaty")
    district = District.objects.create(election=election, number=1, name="District 1", region=region)
    station = PollingStation.objects.create(
        election=election, number="101", region=region, district=district, registered_voters=1500
    )
    organization = Organization.objects.create(name="Bench watch", slug="bench-watch")
    user = get_user_model().objects.create_user("bench-observer", password=PASSWORD)
    membership = Membership.objects.create(user=user, organization=organization, role=Role.OBSERVER)
    Assignment.objects.create(membership=membership, station=station)
    version = build_checklist(election, organization)
    return station, version


def serve():
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.test.testcases import LiveServerThread

    server = LiveServerThread("127.0.0.1", StaticFilesHandler)
    server.daemon = True
    server.start()
    server.is_ready.wait()
    if server.error:
        raise server.error
    return server


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(page, url: str, loads: int) -> dict[str, list[float]]:
    found: dict[str, list[float]] = {"ready": [], "painted": [], "from_start": []}
    for number in range(WARMUPS + loads):
        page.goto(url, wait_until="load")
        figures = page.evaluate(MEASURE)
        if (figures["questions"], figures["shown"]) != (60, 42):
            raise SystemExit(f"The form shows {figures['shown']} of {figures['questions']} questions.")
        if number >= WARMUPS:
            for name in found:
                found[name].append(figures[name])
    return found


def check_interactive(page) -> None:
    """The form answers: a condition met shows its question."""
    page.locator("#q-s0q0 label.choice").filter(has_text="No").click()
    if page.locator("#q-s0q7").is_hidden():
        raise SystemExit("The conditional question did not appear: the form is not interactive.")
    # That answer is now a draft; the next loads start from an empty form again.
    page.evaluate("localStorage.clear()")


def run_browser(
    base_url: str, path: str, loads: int, slowdown: float, screenshot: str | None
) -> dict[str, dict[str, list[float]]]:
    from playwright.sync_api import sync_playwright

    results = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        context = browser.new_context(
            viewport=SMALL_PHONE, locale="en-US", has_touch=True, service_workers="block"
        )
        page = context.new_page()
        page.goto(f"{base_url}/observe/login/")
        page.fill("#id_username", "bench-observer")
        page.fill("#id_password", PASSWORD)
        page.locator("form button[type=submit]").first.click()
        page.wait_for_url(f"{base_url}/observe/")
        results["full speed"] = measure(page, base_url + path, loads)
        if screenshot:
            page.screenshot(path=screenshot, full_page=True)
        check_interactive(page)
        cdp = context.new_cdp_session(page)
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": slowdown})
        results[f"CPU {slowdown:g}x slower"] = measure(page, base_url + path, loads)
        browser.close()
    return results


def table(results: dict[str, dict[str, list[float]]]) -> list[str]:
    lines = [
        "| CPU | DOMContentLoaded → drawn and bound (median / p95) | DOMContentLoaded → first frame "
        "(median / p95) | navigation start → first frame (median) | target ≤ 300 ms |",
        "| --- | ---: | ---: | ---: | --- |",
    ]
    for label, found in results.items():
        p95 = percentile(found["painted"], 0.95)
        verdict = "met" if p95 <= TARGET_MS else "**missed**"
        lines.append(
            f"| {label} | {statistics.median(found['ready']):.1f} / {percentile(found['ready'], 0.95):.1f} "
            f"ms | {statistics.median(found['painted']):.1f} / {p95:.1f} ms "
            f"| {statistics.median(found['from_start']):.1f} ms | {verdict} |"
        )
    return lines


def machine() -> str:
    import django
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
        version = browser.version
        browser.close()
    return (
        f"{os.cpu_count()} CPUs, {platform.machine()}, {platform.system()} {platform.release()}; "
        f"Chromium {version} headless; Python {platform.python_version()}, Django {django.get_version()}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--loads", type=int, default=30, help="timed loads per CPU speed (at least 20)")
    parser.add_argument("--cpu-slowdown", type=float, default=4.0, help="Chromium's CPU throttling rate")
    parser.add_argument("--record", action="store_true", help="write the figures into docs/benchmarks.md")
    parser.add_argument("--screenshot", metavar="PNG", help="also save the whole form as drawn at 360 px")
    args = parser.parse_args()
    if args.loads < 20:
        parser.error("--loads must be at least 20")
    with tempfile.TemporaryDirectory(prefix="baqylau-bench-") as directory:
        setup(directory)
        from django.urls import reverse

        station, version = build_site()
        server = serve()
        path = reverse("observe:checklist", args=[station.pk, version.checklist.code])
        base_url = f"http://127.0.0.1:{server.port}"
        results = run_browser(base_url, path, args.loads, args.cpu_slowdown, args.screenshot)
        server.terminate()
    lines = table(results)
    print("\n".join(lines))
    if args.record:
        text = "\n".join(
            [
                HEADING,
                "",
                f"`bench/checklist_render.py --loads {args.loads} --cpu-slowdown {args.cpu_slowdown:g}`, "
                f"{date.today():%d %B %Y}; {machine()}.",
                "",
                "A checklist of 60 questions (every kind, 18 shown only on an earlier answer, 42 shown at "
                "first) opened on a 360 x 740 px page, each load from the server (service workers off). "
                "Times are measured in the page from DOMContentLoaded, when observe/checklists.js starts "
                "drawing the form from the definition embedded in the page, to the form drawn with its "
                "handlers bound, and to the first frame that shows it; "
                f"{args.loads} loads after {WARMUPS} warm-ups at each CPU speed.",
                "",
                *lines,
                "",
            ]
        )
        record_section(HEADING, text)
        print(f"recorded in {BENCHMARKS_MD}")


if __name__ == "__main__":
    main()
