"""What the scores do when the evidence below them announces a change (core.signals)."""


def on_evidence_changed(sender, *, election_id: int, arrived: bool = False, **kwargs) -> None:
    # Imported when needed, so that loading the apps does not load Celery's task module and numpy.
    from integrity.tasks import request_recompute

    request_recompute(election_id, arrived=arrived)
