"""Static files in production: collectstatic writes hashed, gzipped copies and the application serves
them itself (WhiteNoise), the hashed ones cached for good; the observer's pages and service worker
name those copies. With DEBUG on (`make run`), the plain files are served without collectstatic."""

import gzip
import json

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.test import Client, override_settings

from config import settings as production

PRODUCTION_STORAGE = "whitenoise.storage.CompressedManifestStaticFilesStorage"
SHELL = (
    "observe/observe.css",
    "observe/outbox.js",
    "observe/outreach.js",
    "observe/counts.js",
    "observe/checklists.js",
)
FOREVER = "max-age=315360000, public, immutable"

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def static_root(tmp_path_factory):
    """Every static file collected once, as a deployment does (all apps: a stylesheet that points
    at a missing file would stop collectstatic here rather than on the day)."""
    root = tmp_path_factory.mktemp("static")
    storages = {**django_settings.STORAGES, "staticfiles": {"BACKEND": PRODUCTION_STORAGE}}
    with override_settings(STATIC_ROOT=root, STORAGES=storages):
        call_command("collectstatic", "--no-input", verbosity=0)
    return root


@pytest.fixture
def manifest(settings, static_root):
    """The production set-up over the collected folder; collectstatic's manifest."""
    settings.STATIC_ROOT = static_root
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": PRODUCTION_STORAGE}}
    settings.WHITENOISE_USE_FINDERS = False
    settings.WHITENOISE_AUTOREFRESH = False
    return json.loads((static_root / "staticfiles.json").read_text())


def body(response) -> bytes:
    content = b"".join(response.streaming_content)
    response.close()
    return content


def test_production_hashes_and_compresses_static_files_and_serves_them_before_other_work():
    assert production.STORAGES["staticfiles"]["BACKEND"] == PRODUCTION_STORAGE
    middleware = production.MIDDLEWARE
    security = middleware.index("django.middleware.security.SecurityMiddleware")
    assert middleware.index("whitenoise.middleware.WhiteNoiseMiddleware") == security + 1


def test_a_hashed_file_is_served_gzipped_when_asked_and_cached_for_good(manifest, static_root):
    name = manifest["paths"]["observe/outbox.js"]
    assert name != "observe/outbox.js"
    response = Client().get(f"/static/{name}", HTTP_ACCEPT_ENCODING="gzip, deflate")

    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Cache-Control"] == FOREVER
    assert "Accept-Encoding" in response["Vary"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert gzip.decompress(body(response)) == (static_root / name).read_bytes()


def test_a_client_that_does_not_ask_for_gzip_gets_the_plain_bytes(manifest, static_root):
    name = manifest["paths"]["observe/observe.css"]
    response = Client().get(f"/static/{name}")

    assert response.status_code == 200
    assert "Content-Encoding" not in response
    assert body(response) == (static_root / name).read_bytes()


def test_a_file_under_its_plain_name_is_cached_only_a_minute(manifest):
    response = Client().get("/static/observe/observe.css")

    assert response.status_code == 200
    assert response["Cache-Control"] == "max-age=60, public"
    response.close()


@pytest.mark.parametrize("path", ["/static/observe/missing.css", "/static/observe/observe.0123456789ab.css"])
def test_a_missing_static_file_is_not_found(manifest, path):
    assert Client().get(path).status_code == 404


def test_the_pages_name_the_hashed_files(manifest):
    page = Client().get("/observe/login/").text

    assert f'href="/static/{manifest["paths"]["observe/observe.css"]}"' in page
    assert f'src="/static/{manifest["paths"]["observe/outbox.js"]}"' in page
    assert 'href="/static/observe/observe.css"' not in page


def test_the_service_worker_keeps_the_hashed_files_under_the_manifests_version(manifest):
    response = Client().get("/observe/sw.js")
    script = response.content.decode()

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-cache"
    assert f'var VERSION = "{manifest["hash"]}";' in script
    shell = json.loads(script.split("var SHELL = ", 1)[1].split(";\n", 1)[0])
    assert shell == {f"/static/{name}": f"/static/{manifest['paths'][name]}" for name in SHELL}


def test_with_debug_on_the_plain_files_are_named_and_served_without_collectstatic(settings, tmp_path):
    settings.DEBUG = True
    settings.STATIC_ROOT = tmp_path / "never-collected"
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": PRODUCTION_STORAGE}}

    page = Client().get("/observe/login/").text
    script = Client().get("/observe/sw.js").content.decode()
    served = Client().get("/static/observe/observe.css")

    assert 'href="/static/observe/observe.css"' in page
    assert '"/static/observe/outbox.js": "/static/observe/outbox.js"' in script
    assert served.status_code == 200
    served.close()
