"""Project-wide guards: production settings, migrations."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent


def manage(*args, **env):
    """Run manage.py in a fresh process with only the given environment."""
    clean = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), **env}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        check=False,
    )


PRODUCTION = {
    "DJANGO_SECRET_KEY": "x" * 20
    + "production-like-secret-key-of-enough-length-0123456789",
    "DJANGO_ALLOWED_HOSTS": "scorecard.example.org",
    "DATABASE_URL": "sqlite:////tmp/never-created.sqlite3",
    # Production has no .env; a developer's would fill in DEBUG and the key.
    "DJANGO_ENV_FILE": "/dev/null",
}


def test_deploy_check_passes_with_production_variables():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)

    assert result.returncode == 0, result.stdout + result.stderr


def test_the_app_refuses_to_start_without_a_secret_key():
    env = {
        key: value for key, value in PRODUCTION.items() if key != "DJANGO_SECRET_KEY"
    }

    result = manage("check", **env)

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


@pytest.mark.django_db
def test_models_and_migrations_agree():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
