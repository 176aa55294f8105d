"""The partners' interface: partner organizations and their API keys (scopes, rate limits), and the
redacted read API with its OpenAPI pieces: verified incidents of sharing organizations, district
scores with their parts, count estimates, forensics, complaints' outcomes and sharing organizations'
complaint texts, and open-data exports. Nothing that identifies
an observer ever leaves through it.

May import: integrity, complaints, reports, counts, people, stations, core. Never api or console.
"""
