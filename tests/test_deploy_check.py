"""Production headers: `check --deploy` is clean under the environment the README documents, plain
HTTP is redirected, HTTPS answers carry HSTS, and every page carries the Content Security Policy."""

import os
import re
import secrets
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def readme_production_environment() -> dict[str, str]:
    """The variables of the `export` line in the README's "Production" section, as an operator copies them."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("\n## Production\n", 1)[1].split("\n## ", 1)[0]
    export = re.search(r"^export (.+?)(?<!\\)$", section, flags=re.MULTILINE | re.DOTALL)
    assert export, "the README's Production section has no export line"
    words = shlex.split(export.group(1).replace("\\\n", " "))
    return dict(word.split("=", 1) for word in words)


def production_environment(tmp_path, **overrides: str) -> dict[str, str]:
    env = readme_production_environment()
    # The README elides the secret and points at the operator's PostgreSQL and Redis: a real key, a
    # fresh SQLite file (nothing demo in it) and no broker stand in for them.
    env["DJANGO_SECRET_KEY"] = secrets.token_urlsafe(50)
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'deploy.sqlite3'}"
    env.pop("REDIS_URL", None)
    env.update(overrides)
    return {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "config.settings", **env}


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def deploy_check(env: dict[str, str]) -> subprocess.CompletedProcess:
    migrated = manage(env, "migrate", "--no-input", "-v", "0")
    assert migrated.returncode == 0, migrated.stderr
    return manage(env, "check", "--deploy", "--fail-level", "WARNING")


def test_the_readme_production_environment_sets_debug_off_and_hsts():
    env = readme_production_environment()
    assert env.get("DJANGO_DEBUG", "false") == "false"
    assert env["DJANGO_BEHIND_PROXY"] == "true"
    assert int(env["DJANGO_HSTS_SECONDS"]) >= 31_536_000


def test_check_deploy_is_clean_under_the_readme_production_environment(tmp_path):
    result = deploy_check(production_environment(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(
    ("override", "warning"),
    [
        ({"DJANGO_HSTS_SECONDS": "0"}, "security.W004"),
        ({"DJANGO_SSL_REDIRECT": "false"}, "security.W008"),
        ({"DJANGO_HSTS_INCLUDE_SUBDOMAINS": "false"}, "security.W005"),
    ],
)
def test_check_deploy_fails_when_a_security_setting_is_turned_off(tmp_path, override, warning):
    result = deploy_check(production_environment(tmp_path, **override))
    assert result.returncode != 0
    assert warning in result.stdout + result.stderr


def settings_under(env: dict[str, str], *names: str) -> list[str]:
    code = "import django; django.setup(); from django.conf import settings; " + "; ".join(
        f"print(repr(settings.{name}))" for name in names
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_without_debug_https_is_enforced_and_hsts_lasts_a_year_by_default(tmp_path):
    env = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_SECRET_KEY": "k"}
    names = (
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_HSTS_PRELOAD",
    )
    assert settings_under(env, *names) == ["True", "31536000", "False", "False"]
    assert settings_under({**env, "DJANGO_DEBUG": "true"}, *names) == ["False", "0", "False", "False"]


def test_a_bad_hsts_value_stops_start_up_with_a_message_naming_the_variable():
    env = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_SECRET_KEY": "k"}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env={**env, "DJANGO_HSTS_SECONDS": "a year"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "DJANGO_HSTS_SECONDS must be a whole number" in result.stderr


@pytest.mark.django_db
def test_plain_http_is_redirected_to_https_but_the_health_check_is_not(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    redirected = client.get("/observe/login/")
    assert redirected.status_code == 301
    assert redirected["Location"] == "https://testserver/observe/login/"
    assert client.get("/healthz").status_code == 200


@pytest.mark.django_db
def test_https_answers_carry_hsts(client, settings):
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    response = client.get("/observe/login/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split("; ")}


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/observe/login/", "/admin/login/", "/api/docs/", "/api/redoc/"])
def test_every_page_carries_a_policy_that_runs_only_its_own_and_nonced_scripts(client, path):
    response = client.get(path)
    assert response.status_code == 200
    directives = policy(response)
    assert directives["default-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in directives["script-src"]
    assert "'unsafe-eval'" not in directives["script-src"]
    # A nonce is in the policy only when the page has an inline script that carries it.
    nonces = {source[7:-1] for source in directives["script-src"] if source.startswith("'nonce-")}
    inline_scripts = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", response.content.decode())
    assert all(re.search(r'nonce="([^"]*)"', tag or "") for tag in inline_scripts)
    assert all(re.search(r'nonce="([^"]*)"', tag)[1] in nonces for tag in inline_scripts)


@pytest.mark.django_db
def test_the_api_documentation_pages_load_nothing_from_another_site(client):
    for path in ("/api/docs/", "/api/redoc/"):
        page = client.get(path).content.decode()
        assert not re.search(r"""(src|href)=["']?(https?:)?//""", page), path


SECURITY_VARIABLES = [
    "DJANGO_DEBUG",
    "DJANGO_SECRET_KEY",
    "DJANGO_ALLOWED_HOSTS",
    "DJANGO_CSRF_TRUSTED_ORIGINS",
    "DJANGO_BEHIND_PROXY",
    "DJANGO_SSL_REDIRECT",
    "DJANGO_SECURE_COOKIES",
    "DJANGO_HSTS_SECONDS",
    "DJANGO_HSTS_INCLUDE_SUBDOMAINS",
    "DJANGO_HSTS_PRELOAD",
    "BAQYLAU_REQUIRE_2FA_FOR_STAFF",
    "BAQYLAU_LOGIN_FAILURE_LIMIT",
    "BAQYLAU_LOGIN_COOLOFF_MINUTES",
    "BAQYLAU_WEBHOOK_ALLOW_PRIVATE_HOSTS",
    "DEMO_PASSWORD",
    "DEMO_PARTNER_KEY",
]


def test_the_deployment_guide_lists_every_security_setting_with_its_default():
    guide = (ROOT / "docs" / "deployment.md").read_text()
    section = guide.split("\n## Security settings\n", 1)[1].split("\n## ", 1)[0]
    rows = [line.split(" | ") for line in section.splitlines() if line.startswith("| `")]
    documented = {name: row[1] for row in rows for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", row[0])}
    settings_source = (ROOT / "config" / "settings.py").read_text()
    example = (ROOT / ".env.example").read_text()

    assert set(SECURITY_VARIABLES) <= set(documented)
    for name, default in documented.items():
        assert default.strip(), f"{name} has no default in docs/deployment.md"
        assert f'"{name}"' in settings_source, f"{name} is documented but config/settings.py never reads it"
        assert f"\n{name}=" in example, f"{name} is missing from .env.example"
