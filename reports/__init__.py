"""What observers saw: check-ins, incident reports and their photos, the review workflow with its
audit trail, corroboration, and the exports of reports and photos for coordinators. It announces a
verified report (reports.signals) and a changed review (core.signals.evidence_changed); it does not
know who listens.

May import: people, stations, core. Never counts: reports and counts are separate evidence.
"""
