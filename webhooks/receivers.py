"""Turning the reports app's announcements into queued webhook events.

Both signals are sent after the change is committed, with send_robust: a failure here is logged
and never undoes a reviewer's verification or a published score.
"""

from webhooks import services


def on_report_verified(sender, *, report_id, election_id, **kwargs) -> None:
    services.incident_verified_queue(report_id=report_id)


def on_district_bands_changed(sender, *, election_id, run_id, changes, **kwargs) -> None:
    services.band_changes_queue(run_id=run_id, changes=changes)
