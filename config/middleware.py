"""The middleware that serves browsers only: a call to the API with a bearer token skips it
(core/middleware.py, TokenAPIFork and TokenAPIJoin; settings.TOKEN_API_SKIPPED_MIDDLEWARE).

The session, CSRF, the signed-in user, two-factor state, flash messages, the staff's time zone and
the sign-in lockout have nothing to do with a phone's outbox or a partner calling /api/v1/ with
`Authorization: Bearer …`.
"""

BROWSER_ONLY_MIDDLEWARE = (
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "people.accounts.StaffTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "people.local_time.StaffTimeZoneMiddleware",
    "axes.middleware.AxesMiddleware",
)
