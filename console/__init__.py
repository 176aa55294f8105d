"""The coordinators' console: the dashboard of an election, the district pages, the count and
forensics panels, the complaints past their answer deadline and each district's complaints, and
their charts (funnel plot, sparklines); and the operator's `backup` and
`restore` commands (console/backups.py), which read every app's rows and stored files. It owns no
model, and no page of it changes any data; only `restore` writes, into an empty database and photo
store. The admin pages of each model stay with the app that owns it.

May import: integrity, complaints, reports, counts, people, stations, core. Never api or partners.
"""
