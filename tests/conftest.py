import factory.random
import pytest
from django.core.cache import cache, caches
from django.utils import translation

from procurement.models import Membership
from scoring.loader import DEFAULT_CATALOGUE, load_catalogue
from scoring.models import Catalogue, forget_methods
from tests.factories import MembershipFactory, OrganisationFactory

factory.random.reseed_random("cloud-of-trust")  # reproducible if Faker is ever used


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _static_files(settings, tmp_path):
    """Pages link static files unhashed: tests never run collectstatic."""
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    }


@pytest.fixture(autouse=True)
def _jobs_run_at_once(settings, tmp_path):
    """Export jobs run as they are queued (the queue's immediate backend),
    without a heartbeat thread, and keep their files in the test's folder.

    tests/procurement/test_jobs.py also runs them through the database
    queue and its worker."""
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
    }
    settings.EXPORTS_HEARTBEAT_SECONDS = 0
    settings.STORAGES = {
        **settings.STORAGES,
        "exports": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "exports")},
        },
        # Evidence files too: never in the checkout's private/ folder.
        "evidence": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "evidence")},
        },
    }


@pytest.fixture(autouse=True)
def _default_language_afterwards():
    """A request in French leaves French active in its thread; reset it."""
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Throttle counters and kept reports must not leak into the next test."""
    cache.clear()
    caches["reports"].clear()


@pytest.fixture(autouse=True)
def _catalogues_loaded_afresh():
    """Each test loads a catalogue's method itself: its query counts do not
    depend on the tests that ran before it in the same process."""
    forget_methods()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the bundled catalogue once; each test rolls back to this state."""
    with django_db_blocker.unblock():
        load_catalogue(DEFAULT_CATALOGUE)


@pytest.fixture
def catalogue(db):
    """The bundled Cloud of Trust catalogue (reloaded if a test flushed it)."""
    loaded = Catalogue.objects.latest_published("cloud-of-trust")
    return loaded or load_catalogue(DEFAULT_CATALOGUE).catalogue


@pytest.fixture
def organisation(db):
    return OrganisationFactory()


def member(organisation, role):
    return MembershipFactory(organisation=organisation, role=role).user


@pytest.fixture
def lead(organisation):
    return member(organisation, Membership.Role.LEAD)


@pytest.fixture
def evaluator(organisation):
    return member(organisation, Membership.Role.EVALUATOR)


@pytest.fixture
def viewer(organisation):
    return member(organisation, Membership.Role.VIEWER)
