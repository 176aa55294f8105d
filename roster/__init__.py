"""The mission's observers on the day: the roster (code issued, signed in, trained, accredited,
checked in, last seen, open alerts), the "missing" list of sampled stations that went silent with
the calls made to their observers, and forgetting the observers' identities after the mission.

Stands on reports, counts and outreach (what the observers sent and asked), and on people."""
