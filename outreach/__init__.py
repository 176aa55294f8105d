"""Reaching the observers on the day: messages from coordinators to observers (by organization,
district, station or person, read receipts) and observers' safety alerts ("I need help"), with their
acknowledgement and the e-mails and signed webhooks that carry them to the emergency contacts.

Stands on people (who, where) and stations; knows nothing of reports, counts or scores."""
