"""What other parts of Baqylau may listen to; each is sent once the change is committed.

- `report_verified(sender=IncidentReport, report_id=UUID, election_id=int)`: a reviewer verified a report.

A change of the evidence the scores are made of is announced with core.signals.evidence_changed.
"""

from django.dispatch import Signal

report_verified = Signal()
