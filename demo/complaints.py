# ruff: noqa: RUF001 (the templates are Kazakh and Russian text)
"""The demo's complaints: Citizen Watch's templates in Kazakh and Russian, modelled on the structure
of a complaint under Kazakhstan's Constitutional Law on Elections (addressee, complainant, the facts,
the legal basis, what is asked, the evidence, date and signature), and a few complaints drafted from
the verified reports of the city of Almaty at each stage of their life: a draft, one filed and
waiting, one answered and rejected, one left without an answer past its deadline, and one rejected
and appealed to the district commission.

Everything goes through the complaints services. The PDFs are not built here: an observer's copy is
made when asked for, the organization's when a reviewer asks. Run again, it finds the complaints
there and adds nothing.
"""

from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from complaints.models import (
    Addressee,
    Complaint,
    ComplaintTemplate,
    DeadlineFrom,
    DeadlineRule,
    Language,
    Outcome,
)
from complaints.services import complaint_appeal, complaint_draft, complaint_file, complaint_record_answer
from people.models import Membership, Organization
from reports.models import IncidentReport, ReportStatus
from reports.services import report_verify
from stations.models import Election

ALMATY_CITY = "Almaty (city)"
STAGES = 5

BODY = {
    Language.RUSSIAN: """В {addressee}
от {complainant}

ЖАЛОБА
о нарушениях законодательства о выборах на избирательном участке № {station_number}
({station_name}, {station_address}), избирательный округ {district}, {election}

{observer_count} независимых наблюдателя(ей) общественного объединения «{organization}» зафиксировали:
{facts}

Правовое основание: {legal_basis}

На основании изложенного прошу: {requested_action}

{previous_complaint}

Приложения (фотографии с печатью SHA-256 и временем съёмки):
{evidence_list}

Дата: {date}
Подпись: ____________""",
    Language.KAZAKH: """{addressee}
{complainant} атынан

ШАҒЫМ
№ {station_number} сайлау учаскесінде ({station_name}, {station_address}), {district} сайлау округі,
{election}, сайлау туралы заңнаманың бұзылуы туралы

«{organization}» қоғамдық бірлестігінің {observer_count} тәуелсіз байқаушысы мыналарды тіркеді:
{facts}

Құқықтық негіз: {legal_basis}

Жоғарыда баяндалғанның негізінде сұраймын: {requested_action}

{previous_complaint}

Қосымшалар (SHA-256 мөрі мен түсірілген уақыты көрсетілген фотосуреттер):
{evidence_list}

Күні: {date}
Қолы: ____________""",
}
LEGAL_BASIS = {
    Language.RUSSIAN: (
        "пункт 9 статьи 20 и статья 20-1 Конституционного закона Республики Казахстан от 28 сентября "
        "1995 года № 2464 «О выборах в Республике Казахстан»"
    ),
    Language.KAZAKH: (
        "«Қазақстан Республикасындағы сайлау туралы» 1995 жылғы 28 қыркүйектегі № 2464 Қазақстан "
        "Республикасы Конституциялық заңының 20-бабының 9-тармағы және 20-1-бабы"
    ),
}
REQUESTED_ACTION = {
    (Language.RUSSIAN, Addressee.PRECINCT): (
        "рассмотреть жалобу, проверить изложенные факты, признать недействительными бюллетени, "
        "внесённые с нарушением закона, и письменно сообщить о принятом решении в установленный срок."
    ),
    (Language.RUSSIAN, Addressee.DISTRICT): (
        "отменить решение участковой избирательной комиссии, проверить изложенные факты, назначить "
        "повторный подсчёт голосов на участке и письменно сообщить о принятом решении."
    ),
    (Language.RUSSIAN, Addressee.CENTRAL): (
        "отменить решение окружной избирательной комиссии, проверить изложенные факты и письменно "
        "сообщить о принятом решении."
    ),
    (Language.KAZAKH, Addressee.PRECINCT): (
        "шағымды қарауды, баяндалған фактілерді тексеруді, заң бұзыла отырып салынған бюллетеньдерді "
        "жарамсыз деп тануды және қабылданған шешім туралы белгіленген мерзімде жазбаша хабарлауды."
    ),
    (Language.KAZAKH, Addressee.DISTRICT): (
        "учаскелік сайлау комиссиясының шешімін жоюды, баяндалған фактілерді тексеруді, учаскеде "
        "дауыстарды қайта санауды тағайындауды және қабылданған шешім туралы жазбаша хабарлауды."
    ),
    (Language.KAZAKH, Addressee.CENTRAL): (
        "округтік сайлау комиссиясының шешімін жоюды, баяндалған фактілерді тексеруді және "
        "қабылданған шешім туралы жазбаша хабарлауды."
    ),
}
TITLE = {Language.RUSSIAN: "Жалоба", Language.KAZAKH: "Шағым"}
REJECTION = {
    Language.RUSSIAN: "Изложенные в жалобе факты в ходе проверки не подтвердились.",
    Language.KAZAKH: "Тексеру барысында шағымда баяндалған фактілер расталмады.",
}


def ensure_templates(*, organization: Organization, election: Election) -> int:
    """The organization's Kazakh and Russian templates for each commission; how many were new."""
    created = 0
    for language in (Language.KAZAKH, Language.RUSSIAN):
        for kind in Addressee.values:
            _template, new = ComplaintTemplate.objects.get_or_create(
                organization=organization,
                election=election,
                language=language,
                addressee_kind=kind,
                defaults={
                    "title": TITLE[language],
                    "body": BODY[language],
                    "legal_basis": LEGAL_BASIS[language],
                    "requested_action": REQUESTED_ACTION[(language, kind)],
                    # Commissions answer within five days of filing (on election day, at once).
                    "deadline_rule": DeadlineRule.DAYS,
                    "deadline_amount": 5,
                    "deadline_from": DeadlineFrom.FILING,
                },
            )
            created += new
    return created


def almaty_reports(*, organization: Organization, election: Election, reviewer) -> list[IncidentReport]:
    """One verified report at each of the first few Almaty stations with one; submitted reports are
    verified when too few were, so that every stage has its own station."""
    reports = IncidentReport.objects.filter(
        organization=organization, election=election, station__region__name=ALMATY_CITY
    ).order_by("occurred_at", "id")
    chosen = {}
    for status in (ReportStatus.VERIFIED, ReportStatus.SUBMITTED):
        for report in reports.filter(status=status).select_related("station"):
            if len(chosen) < STAGES and report.station_id not in chosen:
                if status == ReportStatus.SUBMITTED:
                    report = report_verify(report=report, by=reviewer, note="Checked for the complaint.")
                chosen[report.station_id] = report
    return list(chosen.values())


def _consenting(report: IncidentReport) -> AbstractBaseUser:
    """The report's observer, who agreed (at the training) that complaints may be filed in their name."""
    Membership.objects.filter(user_id=report.observer_id, organization_id=report.organization_id).update(
        complaint_consent_at=report.occurred_at - timedelta(days=3)
    )
    return report.observer


def _stages(election: Election, reviewer, coordinator) -> list[tuple[str, Callable]]:
    zone = ZoneInfo(election.timezone)

    def at(day: int, hour: int) -> datetime:
        return datetime.combine(election.date + timedelta(days=day), datetime.min.time(), zone) + timedelta(
            hours=hour
        )

    def draft(report, language, complainant=None):
        return complaint_draft(
            reports=[report],
            addressee_kind=Addressee.PRECINCT,
            language=language,
            by=reviewer,
            complainant=complainant,
        )

    def file(complaint, when, number):
        return complaint_file(
            complaint=complaint,
            by=coordinator,
            filed_at=when,
            filed_how="in_person",
            filed_to=complaint.addressee_name,
            incoming_number=number,
        )

    def reject(complaint, when):
        return complaint_record_answer(
            complaint=complaint,
            by=coordinator,
            outcome=Outcome.REJECTED,
            answer_at=when,
            answer_text=REJECTION[complaint.language],
        )

    def appealed(report):
        rejected = reject(file(draft(report, Language.RUSSIAN), at(0, 13), "12"), at(1, 10))
        appeal = complaint_appeal(complaint=rejected, by=coordinator)
        return file(appeal, at(3, 10), "208")

    # The two signed by an observer come first, for the reports of observers who can sign in.
    return [
        (
            "filed",
            lambda report: file(
                draft(report, Language.KAZAKH, _consenting(report)), timezone.now() - timedelta(hours=2), "31"
            ),
        ),
        (
            "rejected",
            lambda report: reject(
                file(draft(report, Language.RUSSIAN, _consenting(report)), at(0, 15), "17"), at(2, 11)
            ),
        ),
        ("draft", lambda report: draft(report, Language.RUSSIAN)),
        ("overdue", lambda report: file(draft(report, Language.KAZAKH), at(0, 16), "24")),
        ("appealed", appealed),
    ]


def seed_complaints(*, election: Election, organization: Organization, reviewer, coordinator) -> str:
    """The templates and the complaints at each stage; a line saying what was made."""
    templates = ensure_templates(organization=organization, election=election)
    if Complaint.objects.filter(organization=organization, election=election).exists():
        return f"Complaints: {templates} new templates; the demo complaints were already there."
    reports = almaty_reports(organization=organization, election=election, reviewer=reviewer)
    # A demo observer with a password can sign in and find on "My reports" what was filed in their name.
    reports.sort(key=lambda report: not report.observer.has_usable_password())
    made = []
    for (stage, make), report in zip(_stages(election, reviewer, coordinator), reports, strict=False):
        make(report)
        made.append(f"{stage} (station {report.station.number})")
    signed = sorted(
        Complaint.objects.filter(organization=organization, complainant__isnull=False).values_list(
            "complainant__username", flat=True
        )
    )
    return (
        f"Complaints: {templates} new templates (kk, ru); on Almaty reports: {', '.join(made) or 'none'}; "
        f"filed in the name of {', '.join(dict.fromkeys(signed)) or 'nobody'}."
    )
