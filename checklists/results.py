"""Checklist results: for each question, nationally and per district, the share of stations giving
each answer, estimated from the random sample with its 95 % interval, and the same counted over
every observed station, which is not a random sample and says so.

What counts:
- At each station, its latest submission to the checklists read (all versions alike: questions
  are matched by their code, which never changes once observers use it).
- A question counts at a station only where it was answered. Answers are stored for shown
  questions only (checklists.validation), so a conditional question that stayed hidden is left
  out, never counted as "no".
- yes/no: the share of yes and of no; one choice: each choice's share; several choices: the share
  of the stations that ticked each choice; whole number: the mean; time, text and photo: only how
  many stations answered (a text is never read here).

The estimate is the PVT's combined ratio estimator stratified by district (counts.estimators,
Cochran §6.11) with a = 1 where the station gave the answer (for a number, the number) and m = 1
where it answered the question, over the k_h sampled stations of district h that sent the
checklist, of its N_h stations:

    p̂ = Σ_h w_h·Σa / Σ_h w_h·Σm,   w_h = N_h / k_h
    Var(p̂) = Σ_h N_h²·(1 - k_h/N_h)/k_h · s²_h / (Σ_h w_h·Σm)²,
    s²_h = Σ (d - d̄_h)² / (k_h - 1),   d = a - p̂·m

As in the PVT, a district with fewer than two such stations is left out of both the estimate and
its error. For an unconditional yes/no question the estimate is the stratified share
Σ N_h·p_h / Σ N_h, with Var = Σ (N_h/N)²·(1 - f_h)·p_h(1 - p_h)/(k_h - 1).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from django.db.models import QuerySet

from checklists.models import Checklist, ChecklistVersion, Submission, SubmissionPhoto
from checklists.validation import questions_of
from counts.estimators import Z_95, Stratum
from stations.models import District, Election

# Kinds whose answers are only counted: a time has no share, a text or a photo is never read.
COUNTED_ONLY = ("time", "text", "photo")
YES, NO, MEAN = "yes", "no", "mean"


@dataclass(frozen=True)
class Spec:
    """A question as the newest version that has it asks it; `choices`: (code, texts)."""

    code: str
    kind: str
    label: dict
    choices: tuple[tuple[str, dict], ...] = ()

    def items(self) -> list[tuple[str, dict | None]]:
        """The answers that get a share (a number: its mean), each with its texts."""
        if self.kind == "yes_no":
            return [(YES, None), (NO, None)]
        if self.kind in ("choice", "choices"):
            return list(self.choices)
        if self.kind == "number":
            return [(MEAN, None)]
        return []


def specs_of(definitions: Iterable[dict]) -> list[Spec]:
    """The questions of every version, newest first: a question keeps the newest wording, kind
    and order that has it, and gains the choices that older versions had and it dropped."""
    found: dict[str, Spec] = {}
    for definition in definitions:
        for question in questions_of(definition):
            code = question["code"]
            choices = tuple((choice["code"], choice["label"]) for choice in question["choices"])
            if code not in found:
                found[code] = Spec(code, question["kind"], question["label"], choices)
            elif found[code].kind == question["kind"]:
                known = {choice for choice, _label in found[code].choices}
                extra = tuple(choice for choice in choices if choice[0] not in known)
                found[code] = Spec(code, found[code].kind, found[code].label, found[code].choices + extra)
    return list(found.values())


# --- The estimator -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sums:
    """Per district: stations (k), and the sums of a, m, a², m² and a·m over them."""

    k: np.ndarray
    a: np.ndarray
    m: np.ndarray
    aa: np.ndarray
    mm: np.ndarray
    am: np.ndarray

    @classmethod
    def of(cls, district: np.ndarray, districts: int, a: np.ndarray, m: np.ndarray) -> "Sums":
        """`district`: each station's district index, from 0 to `districts` - 1."""

        def total(weights=None):
            return np.bincount(district, weights=weights, minlength=districts).astype(float)

        return cls(total(), total(a), total(m), total(a * a), total(m * m), total(a * m))

    @classmethod
    def of_strata(cls, strata: Sequence[Stratum]) -> "Sums":
        a = np.concatenate([np.asarray(s.a, float) for s in strata])
        m = np.concatenate([np.asarray(s.m, float) for s in strata])
        district = np.repeat(np.arange(len(strata)), [len(s.a) for s in strata])
        return cls.of(district, len(strata), a, m)


@dataclass(frozen=True)
class Estimate:
    """An estimate from the random sample, with its 95 % interval; a share's interval stays
    within 0 and 1."""

    estimate: float
    standard_error: float
    low: float
    high: float
    stations: int  # sampled stations in the estimate that answered the question
    population: int  # the stations of the districts the estimate speaks for

    @property
    def margin_95(self) -> float:
        return Z_95 * self.standard_error


def _estimate(p: float, variance: float, answered: float, population: float, share: bool) -> Estimate:
    se = float(np.sqrt(max(variance, 0.0)))
    low, high = p - Z_95 * se, p + Z_95 * se
    if share:
        low, high = max(low, 0.0), min(high, 1.0)
    return Estimate(float(p), se, float(low), float(high), round(float(answered)), int(population))


def _variance_terms(sums: Sums, population: np.ndarray, p, use: np.ndarray) -> np.ndarray:
    """N_h²·(1 - f_h)/k_h·s²_h of each district in `use`, the residuals taken at `p`."""
    k, n = sums.k[use], population[use]
    d = sums.a[use] - p * sums.m[use]
    dd = sums.aa[use] - 2 * p * sums.am[use] + p * p * sums.mm[use]
    s2 = np.maximum(dd - d * d / k, 0.0) / (k - 1)
    return n * n * (1 - k / n) / k * s2


def stratified(sums: Sums, population: np.ndarray, *, share: bool = True) -> Estimate | None:
    """The combined ratio estimate over the districts; None without a district of two stations or
    without an answer."""
    use = sums.k >= 2
    weights = population[use] / sums.k[use]
    total_m = float((weights * sums.m[use]).sum())
    if not use.any() or total_m <= 0:
        return None
    p = float((weights * sums.a[use]).sum()) / total_m
    variance = float(_variance_terms(sums, population, p, use).sum()) / total_m**2
    return _estimate(p, variance, sums.m[use].sum(), population[use].sum(), share)


def each_district(sums: Sums, population: np.ndarray, *, share: bool = True) -> list[Estimate | None]:
    """The same estimate for each district alone (one stratum): Σa/Σm, Var = (1 - f)·k·s²/(Σm)²."""
    use = (sums.k >= 2) & (sums.m > 0)
    p = np.divide(sums.a, sums.m, out=np.zeros_like(sums.a), where=sums.m > 0)
    variance = np.zeros_like(sums.a)
    total_m = (population / np.maximum(sums.k, 1) * sums.m)[use]
    variance[use] = _variance_terms(sums, population, p[use], use) / total_m**2
    return [
        _estimate(p[h], variance[h], sums.m[h], population[h], share) if use[h] else None
        for h in range(len(sums.k))
    ]


# --- Reading the answers -------------------------------------------------------------------------


@dataclass(frozen=True)
class Answered:
    """The latest submission of each station: its district's index, whether it is in the random
    sample, its answers and the photo questions it answered."""

    district: np.ndarray
    in_sample: np.ndarray
    answers: list[dict]
    photos: list[frozenset]


def latest_answers(submissions: QuerySet[Submission], district_index: dict[int, int]) -> Answered:
    """One submission per station, the latest answered (the latest received on a tie)."""
    rows = submissions.order_by("station_id", "-answered_at", "-received_at").values_list(
        "pk", "station_id", "station__district_id", "station__in_sample", "answers"
    )
    latest: dict[int, tuple] = {}
    for pk, station, district, in_sample, answers in rows:
        latest.setdefault(station, (pk, district, in_sample, answers))
    chosen = list(latest.values())
    photos: dict = {}
    # By subquery rather than a list of ids, which would outgrow SQLite's limit on parameters.
    for submission, question in SubmissionPhoto.objects.filter(submission__in=submissions).values_list(
        "submission_id", "question"
    ):
        photos.setdefault(submission, set()).add(question)
    return Answered(
        district=np.array([district_index[row[1]] for row in chosen], dtype=np.intp),
        in_sample=np.array([bool(row[2]) for row in chosen], dtype=bool),
        answers=[row[3] if isinstance(row[3], dict) else {} for row in chosen],
        photos=[frozenset(photos.get(row[0], ())) for row in chosen],
    )


def measures(spec: Spec, answered: Answered) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """m (the station answered the question) and each item's a, one value per station. An answer
    that does not fit the question's kind (a version that asked it otherwise) is not counted."""
    if spec.kind == "photo":
        given = [spec.code in photos for photos in answered.photos]
        return np.array(given, float), {}
    values = [answers.get(spec.code) for answers in answered.answers]
    fits = FITS[spec.kind]
    m = np.array([value is not None and fits(value) for value in values], float)
    items: dict[str, np.ndarray] = {}
    if spec.kind == "yes_no":
        items = {
            YES: np.array([v is True for v in values], float),
            NO: np.array([v is False for v in values], float),
        }
    elif spec.kind == "choice":
        items = {code: np.array([v == code for v in values], float) for code, _l in spec.choices}
    elif spec.kind == "choices":
        items = {code: np.array([fits(v) and code in v for v in values], float) for code, _l in spec.choices}
    elif spec.kind == "number":
        items = {MEAN: np.array([v if fits(v) else 0 for v in values], float)}
    return m, items


def _is_number(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


FITS = {
    "yes_no": lambda value: isinstance(value, bool),
    "choice": lambda value: isinstance(value, str),
    "choices": lambda value: isinstance(value, list),
    "number": _is_number,
    "time": lambda value: isinstance(value, str),
    "text": lambda value: isinstance(value, str),
}


# --- The results ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class AnswerLine:
    """One answer (or a number's mean) of one question in one scope."""

    answer: str  # "yes", "no", a choice's code, or "mean"
    label: dict | None  # a choice's texts; None for yes, no and mean
    sample: Estimate | None  # None without a random sample or enough of it
    sample_count: int  # sampled stations that gave this answer (0 for a mean)
    observed: float | None  # over every observed station that answered: not representative
    observed_count: int


@dataclass(frozen=True)
class QuestionLine:
    code: str
    kind: str
    label: dict
    sample_answered: int  # sampled stations that answered the question
    observed_answered: int  # observed stations that answered it
    answers: list[AnswerLine]


@dataclass
class _Measured:
    spec: Spec
    sample: dict[str, Sums]  # by item; "" holds the answered count, a = m
    observed: dict[str, Sums]


@dataclass
class ChecklistResults:
    code: str
    name: dict
    sample_used: bool  # the election has a random sample
    districts: list[District]  # in number order; index h is stratum h
    population: np.ndarray  # stations per district
    measured: list[_Measured] = field(default_factory=list)

    def national(self) -> list[QuestionLine]:
        return [self._line(item, None) for item in self.measured]

    def district(self, index: int) -> list[QuestionLine]:
        """The district `self.districts[index]` alone."""
        return [self._line(item, index) for item in self.measured]

    def _line(self, measured: _Measured, index: int | None) -> QuestionLine:
        spec, answers = measured.spec, []
        for code, label in spec.items():
            sample, observed = measured.sample[code], measured.observed[code]
            share = code != MEAN
            answers.append(
                AnswerLine(
                    answer=code,
                    label=label,
                    sample=self._estimate(sample, index, share) if self.sample_used else None,
                    sample_count=0 if not share else int(_total(sample.a, index)),
                    observed=_ratio(_total(observed.a, index), _total(observed.m, index)),
                    observed_count=0 if not share else int(_total(observed.a, index)),
                )
            )
        return QuestionLine(
            code=spec.code,
            kind=spec.kind,
            label=spec.label,
            sample_answered=int(_total(measured.sample[""].m, index)),
            observed_answered=int(_total(measured.observed[""].m, index)),
            answers=answers,
        )

    def _estimate(self, sums: Sums, index: int | None, share: bool) -> Estimate | None:
        if index is None:
            return stratified(sums, self.population, share=share)
        alone = Sums(*(np.array([getattr(sums, name)[index]]) for name in ("k", "a", "m", "aa", "mm", "am")))
        return each_district(alone, self.population[index : index + 1], share=share)[0]


def _total(values: np.ndarray, index: int | None) -> float:
    return float(values.sum() if index is None else values[index])


def _ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


def checklist_results(*, election: Election, checklists: QuerySet[Checklist]) -> ChecklistResults | None:
    """The results of `checklists` (those of one code the reader may see) in `election`; None when
    none of them was ever published."""
    versions = ChecklistVersion.objects.filter(checklist__in=checklists).order_by("-published_at", "-pk")
    definitions = list(versions.values_list("definition", flat=True))
    if not definitions:
        return None
    districts = list(District.objects.filter(election=election).with_station_counts().order_by("number"))
    index = {district.pk: h for h, district in enumerate(districts)}
    answered = latest_answers(
        Submission.objects.filter(election=election, version__checklist__in=checklists), index
    )
    results = ChecklistResults(
        code=definitions[0]["code"],
        name=definitions[0]["name"],
        sample_used=any(district.sample_count for district in districts),
        districts=districts,
        population=np.array([district.station_count for district in districts], float),
    )
    sample = answered.in_sample
    for spec in specs_of(definitions):
        m, items = measures(spec, answered)
        items = {"": m, **items}
        results.measured.append(
            _Measured(
                spec,
                sample={
                    code: Sums.of(answered.district[sample], len(districts), a[sample], m[sample])
                    for code, a in items.items()
                },
                observed={
                    code: Sums.of(answered.district, len(districts), a, m) for code, a in items.items()
                },
            )
        )
    return results
