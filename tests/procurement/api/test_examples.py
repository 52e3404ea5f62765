"""The schema's examples work on the demo data: an integrator who seeds a
fresh instance (`python manage.py seed --demo`) and posts an example as it
stands gets a 201, not a 400 about an id that does not exist."""

import json

from tests.test_settings import manage

# Run inside the fresh instance: post every example of the creating
# operations as the demo lead, and print what came back.
SCRIPT = """
import json
from django.contrib.auth import get_user_model
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

schema = SchemaGenerator().get_schema(request=None, public=True)
client = APIClient()
client.force_authenticate(get_user_model().objects.get(username="demo"))
results = []
for path in PATHS:
    body = schema["paths"][path]["post"]["requestBody"]["content"]["application/json"]
    for name, example in sorted(body["examples"].items()):
        response = client.post(path, example["value"], format="json")
        results.append([path, name, response.status_code, response.content.decode()])
print(json.dumps(results))
"""
PATHS = [
    "/api/v1/procurements/",
    "/api/v1/providers/",
    "/api/v1/offers/",
    "/api/v1/assessments/",
]


def test_the_creation_examples_of_the_schema_work_on_the_demo_data(tmp_path):
    env = {
        "DJANGO_SECRET_KEY": "a-throwaway-key-for-this-test-only-" + "x" * 30,
        "DJANGO_DEBUG": "true",
        "DJANGO_ALLOWED_HOSTS": "testserver",
        "DJANGO_ENV_FILE": "/dev/null",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
    }
    assert manage("migrate", "--no-input", "-v", "0", **env).returncode == 0
    assert manage("seed", "--demo", **env).returncode == 0

    result = manage("shell", "-c", f"PATHS = {PATHS!r}\n{SCRIPT}", **env)

    statuses = [row[:3] for row in json.loads(result.stdout.splitlines()[-1])]
    assert statuses == [
        ["/api/v1/procurements/", "Complete", 201],
        ["/api/v1/procurements/", "Minimal", 201],
        ["/api/v1/providers/", "Minimal", 201],
        ["/api/v1/providers/", "WithOwnership", 201],
        ["/api/v1/offers/", "Complete", 201],
        ["/api/v1/offers/", "Minimal", 201],
        ["/api/v1/assessments/", "Minimal", 201],
    ]
