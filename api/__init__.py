"""The observers' interface: every address an observer's phone calls. The JSON API under /api/v1/
(token, check-ins, reports, photos, answers, turnout counts, protocol copies, contests, the
complaints filed in the observer's name with their PDFs) with its OpenAPI pieces, and the phone's
pages under /observe/ (api.pages: sign-in, stations, report and count forms, "My reports", the
outbox's token and service worker). Views parse, fetch with permission, call
one service and render; the rules live in the apps below.

May import: integrity, complaints, reports, counts, people, stations, core. Never console or
partners; no domain app imports it.
"""
