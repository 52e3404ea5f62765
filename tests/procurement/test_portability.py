"""An organisation takes all of its data out and into another instance."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from procurement.models import Answer, Assessment, Organisation, Provider, ProviderFact
from procurement.portability import (
    ImportRefused,
    export_organisation_data,
    import_organisation_data,
)
from procurement.seed import seed_demo
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(catalogue):
    return seed_demo().organisation


def test_export_holds_every_provider_procurement_and_answer(demo):
    data = export_organisation_data(demo)

    assert data["organisation"]["name"] == "Demo Ministry"
    assert sorted(p["name"] for p in data["providers"]) == [
        "Alpha Cloud",
        "Beta Sovereign",
        "Gamma Hyperscale EU",
    ]
    assert len(data["procurements"]) == 1
    assert (
        sum(len(a["answers"]) for a in data["assessments"])
        == Answer.objects.filter(assessment__procurement__organisation=demo).count()
    )
    assert sorted(data["members"], key=lambda m: m["username"]) == [
        {"username": "demo", "role": "lead"},
        {"username": "evaluator", "role": "evaluator"},
    ]


def test_export_is_plain_json(demo):
    assert json.loads(json.dumps(export_organisation_data(demo)))["format_version"] == 1


def test_import_rebuilds_the_organisation_with_the_same_scores(demo):
    data = json.loads(json.dumps(export_organisation_data(demo)))

    result = import_organisation_data(
        data, name="Demo Ministry (copy)", link_members=True
    )

    def scores(organisation):
        return sorted(
            (a.offer.provider.name, a.status, a.global_score, a.trust_level, a.eligible)
            for a in Assessment.objects.filter(procurement__organisation=organisation)
        )

    assert scores(result.organisation) == scores(demo)
    assert result.unlinked_members == ()
    assert sorted(
        result.organisation.memberships.values_list("user__username", flat=True)
    ) == ["demo", "evaluator"]


def test_members_are_not_linked_unless_asked(demo):
    result = import_organisation_data(export_organisation_data(demo), name="Copy")

    assert sorted(result.unlinked_members) == ["demo", "evaluator"]
    assert not result.organisation.memberships.exists()


def test_import_recomputes_scores_instead_of_trusting_the_file(demo):
    data = export_organisation_data(demo)
    for assessment in data["assessments"]:
        assessment["global_score"] = "99.9"

    result = import_organisation_data(data, name="Copy")

    assert not Assessment.objects.filter(
        procurement__organisation=result.organisation, global_score=99.9
    ).exists()


def test_import_keeps_facts_cited_by_answers(catalogue, demo):
    provider = demo.providers.get(name="Beta Sovereign")
    fact = ProviderFact.objects.create(
        provider=provider,
        statement="Qualified.",
        as_of="2025-06-01",
        source_title="ANSSI list",
    )
    Answer.objects.filter(
        assessment__offer__provider=provider, criterion__code="SEC-1"
    ).get().facts.add(fact)

    result = import_organisation_data(export_organisation_data(demo), name="Copy")

    copied = Answer.objects.get(
        assessment__procurement__organisation=result.organisation,
        assessment__offer__provider__name="Beta Sovereign",
        criterion__code="SEC-1",
    )
    assert [f.source_title for f in copied.facts.all()] == ["ANSSI list"]


def test_import_refuses_an_existing_name(demo):
    with pytest.raises(ImportRefused, match="already exists"):
        import_organisation_data(export_organisation_data(demo))


def test_import_refuses_a_catalogue_version_not_loaded_here(demo):
    data = export_organisation_data(demo)
    data["procurements"][0]["catalogue"]["version"] = "9.9"

    with pytest.raises(ImportRefused, match="cloud-of-trust 9.9"):
        import_organisation_data(data, name="Copy")


def test_a_malformed_file_imports_nothing(demo):
    data = export_organisation_data(demo)
    del data["assessments"][0]["answers"][0]["criterion"]

    with pytest.raises(ImportRefused, match="malformed"):
        import_organisation_data(data, name="Copy")

    assert not Organisation.objects.filter(name="Copy").exists()
    assert Provider.objects.filter(organisation__isnull=False).count() == 3


def test_members_without_an_account_are_reported(demo):
    data = export_organisation_data(demo)
    data["members"].append({"username": "ghost", "role": "viewer"})

    result = import_organisation_data(data, name="Copy", link_members=True)

    assert result.unlinked_members == ("ghost",)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda d: d["providers"][0].update(website="javascript:alert(1)"),
        lambda d: d["providers"][0]["facts"].append(
            {
                "id": 999,
                "statement": "x",
                "as_of": "2020-01-01",
                "source_title": "t",
                "category": "nonsense",
                "source_url": "javascript:alert(1)",
            }
        ),
        lambda d: d["assessments"][0].update(version=0),
        lambda d: d["assessments"][0]["answers"][0].update(level=9),
        lambda d: d["members"].append({"username": "demo", "role": "emperor"}),
    ],
)
def test_the_import_validates_every_row(demo, tamper):
    data = export_organisation_data(demo)
    tamper(data)

    with pytest.raises(ImportRefused, match="malformed"):
        import_organisation_data(data, name="Copy", link_members=True)

    assert not Organisation.objects.filter(name="Copy").exists()


@pytest.mark.parametrize(
    "data",
    [
        [],
        "text",
        {"format": "cloud-of-trust-scorecard/organisation", "format_version": 1},
    ],
)
def test_a_file_of_the_wrong_shape_is_refused(db, data):
    with pytest.raises(ImportRefused):
        import_organisation_data(data)


def test_commands_round_trip_through_a_file(demo, tmp_path):
    path = tmp_path / "demo.json"
    UserFactory(username="someone")

    call_command(
        "export_organisation", "Demo Ministry", "--output", str(path), stderr=StringIO()
    )
    out = StringIO()
    call_command("import_organisation", str(path), "--name", "Imported", stdout=out)

    assert "Imported Imported with 3 assessments." in out.getvalue()
    assert "Members not linked to an account here" in out.getvalue()


def test_export_command_refuses_an_unknown_organisation(db):
    with pytest.raises(CommandError, match="No organisation named 'Nobody'"):
        call_command("export_organisation", "Nobody", stdout=StringIO())
