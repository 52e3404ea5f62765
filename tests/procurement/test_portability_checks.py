"""import_organisation refuses what the API refuses, with a clear message
and no traceback, and a round trip keeps creation dates and creators."""

import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from procurement.models import Assessment, Organisation, Procurement, Provider
from procurement.portability import (
    ImportRefused,
    export_organisation_data,
    import_organisation_data,
)
from procurement.seed import seed_demo, seed_reference_cases
from scoring.loader import BUNDLED_CATALOGUES, load_catalogue

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(catalogue):
    return seed_demo().organisation


def import_file(tmp_path, content: str):
    path = tmp_path / "organisation.json"
    path.write_text(content, encoding="utf-8")
    call_command(
        "import_organisation", str(path), "--name", "Copy", stdout=io.StringIO()
    )


def deeply_nested(data):
    data["providers"][0]["description"] = "PLACEHOLDER"
    text = json.dumps(data)
    return text.replace('"PLACEHOLDER"', "[" * 100_000 + "]" * 100_000)


@pytest.mark.parametrize(
    ("tamper", "message"),
    [
        (deeply_nested, "malformed"),
        (
            lambda d: json.dumps(
                {**d, "procurements": [{**d["procurements"][0], "profile": "N9"}]}
            ),
            "unknown sensitivity profile 'N9'",
        ),
        (
            lambda d: d["providers"][0].update(name="Bad\x00name") or json.dumps(d),
            "NUL character",
        ),
        (
            lambda d: (
                d["assessments"][0]["answers"][0].update(justification="x" * 200_000)
                or json.dumps(d)
            ),
            "justification: Ensure this field has no more than 20000 characters.",
        ),
        (
            lambda d: (
                d["providers"][0]["offers"][0].update(regions="FR") or json.dumps(d)
            ),
            "regions",
        ),
    ],
    ids=["deep-nesting", "unknown-profile", "nul", "long-justification", "regions"],
)
def test_a_bad_file_is_a_clear_error_and_imports_nothing(
    demo, tmp_path, tamper, message
):
    content = tamper(export_organisation_data(demo))

    with pytest.raises(CommandError, match=message.replace("(", r"\(")) as caught:
        import_file(tmp_path, content)

    assert len(str(caught.value)) < 500
    assert not Organisation.objects.filter(name="Copy").exists()


def test_a_nul_in_a_procurement_title_is_refused_in_memory_too(demo):
    data = export_organisation_data(demo)
    data["procurements"][0]["title"] = "a\x00b"

    with pytest.raises(ImportRefused, match="NUL"):
        import_organisation_data(data, name="Copy")


# the round trip -----------------------------------------------------------------

# What must differ between an export and the export of its import: when it was
# exported, the organisation's name (an import here needs a new one), the
# database ids (and the approval records and citations that name them), and
# the record (the new instance's begins with a link to the exported one).
MUST_DIFFER = {"exported_at", "id", "history"}
ID_REFERENCES = {
    "offer",
    "procurement",
    "facts",
    "approval_record",
    "assessment",
    "award_criterion",
    "presumed_by",
}


def comparable(value):
    if isinstance(value, dict):
        return {
            key: comparable(item)
            for key, item in value.items()
            if key not in MUST_DIFFER | ID_REFERENCES
        }
    if isinstance(value, list):
        return [comparable(item) for item in value]
    return value


def test_a_round_trip_differs_only_where_it_must(demo):
    first = export_organisation_data(demo)
    copy = import_organisation_data(first, name="Copy", link_members=True).organisation
    second = export_organisation_data(copy)
    first["organisation"]["name"] = second["organisation"]["name"]

    assert comparable(second) == comparable(first)


def test_a_round_trip_keeps_creation_dates_and_creators(demo):
    data = export_organisation_data(demo)
    copy = import_organisation_data(data, name="Copy", link_members=True).organisation

    before = Procurement.objects.filter(organisation=demo).get()
    after = Procurement.objects.filter(organisation=copy).get()
    assert after.created_at == before.created_at
    assert after.created_by == before.created_by is not None
    assert sorted(
        Assessment.objects.filter(procurement__organisation=copy).values_list(
            "created_at", "created_by"
        )
    ) == sorted(
        Assessment.objects.filter(procurement__organisation=demo).values_list(
            "created_at", "created_by"
        )
    )
    assert sorted(
        Provider.objects.filter(organisation=copy).values_list("created_at", flat=True)
    ) == sorted(
        Provider.objects.filter(organisation=demo).values_list("created_at", flat=True)
    )
    assert copy.created_at == demo.created_at


@pytest.mark.django_db(transaction=True)
def test_a_round_trip_through_an_empty_database_differs_only_where_it_must():
    seed_reference_cases()
    organisation = seed_demo().organisation
    users = list(get_user_model().objects.values("username", "first_name", "last_name"))
    first = export_organisation_data(organisation)

    call_command("flush", interactive=False, verbosity=0)
    assert not Organisation.objects.exists()
    for path in BUNDLED_CATALOGUES:
        load_catalogue(path)
    for user in users:
        get_user_model().objects.create_user(password="x" * 16, **user)
    copy = import_organisation_data(first, link_members=True).organisation
    second = export_organisation_data(copy)

    assert second["organisation"]["name"] == first["organisation"]["name"]
    assert comparable(second) == comparable(first)
