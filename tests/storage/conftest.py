# The partners' fixtures, for the test of their signed photo links with photos in the bucket.
from tests.partners.conftest import make_incident, make_key, partner, partner_api, secret_observer  # noqa: F401
