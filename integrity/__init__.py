"""The integrity scores: gathering each district's evidence from reports and counts, the pure maths
(integrity.scoring: evidence weights, empirical-Bayes shrinkage, count risk, forensic flags, the
headline and its Monte Carlo intervals), score runs and their history, and the Celery tasks that
recompute them when core.signals.evidence_changed says the evidence moved. It announces moved bands
(integrity.signals).

May import: reports, counts, people, stations, core.
"""
