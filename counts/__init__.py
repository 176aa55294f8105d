"""What the numbers say: contests and their choices, official results per station and import batch,
observers' turnout counts and protocol copies with their review, the parallel vote tabulation's
estimates, the count summary per district, and the election-forensics tests. It announces changed
evidence with core.signals.evidence_changed.

May import: people, stations, core. Never reports: reports and counts are separate evidence.
"""
