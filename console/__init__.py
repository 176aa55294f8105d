"""The coordinators' console: the dashboard of an election, the district pages, the count and
forensics panels, and their charts (funnel plot, sparklines). It reads everything below it, writes
nothing and owns no model; the admin pages of each model stay with the app that owns it.

May import: integrity, reports, counts, people, stations, core. Never api or partners.
"""
