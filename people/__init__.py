"""Who may do what: organizations (the NGOs), memberships and their roles (observer, reviewer,
coordinator), observers' assignments to stations, the bearer tokens of observers' phones, sign-in
protection (lockout and two-factor for staff), the staff groups, and the scoping every admin and
read uses (a member of staff sees only their organizations' rows). Observers are onboarded in bulk
from the coordinator's list (onboarding.py) and sign in with one-time codes (codes.py) printed on
their cards (cards.py).

May import: stations, core.
"""
