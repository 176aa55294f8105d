"""Signed webhooks for partners: endpoints registered with a partner key, and an outbox of deliveries
(HMAC-SHA256, back-off, leases, beat repair) fed by reports.signals.report_verified and
integrity.signals.district_bands_changed.

May import: partners and everything below it.
"""
