"""The lockout holds across processes: two separate Python processes with the
production cache configuration (no CACHE_URL, DEBUG off: the database cache)
count the failures of one username and address together."""

import textwrap

import pytest

from tests.test_settings import PRODUCTION, manage

ATTEMPTS = textwrap.dedent(
    """
    from django.conf import settings
    from django.test import Client, override_settings
    assert settings.CACHES["default"]["BACKEND"].endswith("DatabaseCache")
    # Pages link static files unhashed: no collectstatic here.
    override_settings(
        STORAGES={{
            **settings.STORAGES,
            "staticfiles": {{
                "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
            }},
        }}
    ).enable()
    client = Client()
    for password in {passwords!r}:
        response = client.post(
            "/accounts/login/",
            {{"username": "alice", "password": password}},
            REMOTE_ADDR={address!r},
            secure=True,
        )
        print("status", response.status_code)
    """
)


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    """A migrated production-like SQLite database, shared by this module."""
    tmp_path = tmp_path_factory.mktemp("production")
    env = {
        **PRODUCTION,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DJANGO_ALLOWED_HOSTS": "testserver",
    }
    for command in (
        ["migrate", "--no-input"],
        ["createcachetable"],
        [
            "shell",
            "-c",
            "from django.contrib.auth.models import User; "
            "User.objects.create_user('alice', password='correct-horse-battery')",
        ],
    ):
        result = manage(*command, **env)
        assert result.returncode == 0, result.stderr
    return env


def attempts(env, address, *passwords):
    """Log in as alice with each password in turn, in a new process."""
    script = ATTEMPTS.format(passwords=passwords, address=address)
    result = manage("shell", "-c", script, **env)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    return [int(line.split()[1]) for line in lines if line.startswith("status ")]


def test_failures_in_two_processes_add_up_to_one_lockout(production):
    first = attempts(production, "203.0.113.7", *["wrong"] * 5)
    second = attempts(
        production, "203.0.113.7", *["wrong"] * 5, "correct-horse-battery"
    )

    assert first == [200] * 5
    assert second[-1] == 429


def test_below_the_limit_across_processes_the_right_password_works(production):
    attempts(production, "203.0.113.8", *["wrong"] * 4)
    second = attempts(
        production, "203.0.113.8", *["wrong"] * 4, "correct-horse-battery"
    )

    assert second[-1] == 302
