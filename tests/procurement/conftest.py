import pytest


@pytest.fixture(autouse=True)
def _warm_catalogue(request):
    """Build the engine's catalogue spec once, so query counts stay stable."""
    if "db" in request.fixturenames or request.node.get_closest_marker("django_db"):
        request.getfixturevalue("catalogue").to_spec()
