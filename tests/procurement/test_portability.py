"""An organisation takes all of its data out and into another instance."""

import io
import json
import re
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from procurement.models import (
    Answer,
    Assessment,
    AwardMark,
    IndividualScore,
    ModerationDecision,
    Organisation,
    PanelComment,
    PanelSeat,
    Provider,
    ProviderFact,
)
from procurement.portability import (
    ImportRefused,
    export_organisation_data,
    import_organisation_data,
    import_organisation_file,
    write_organisation,
)
from procurement.seed import seed_demo
from procurement.services import panel
from procurement.services.award import (
    AwardCriterionData,
    set_award_criteria,
    set_award_marks,
)
from tests.factories import (
    AssessmentFactory,
    OfferFactory,
    ProcurementFactory,
    ProviderFactFactory,
    ProviderFactory,
    UserFactory,
    stored_bytes,
)
from tests.procurement.views.helpers import scored_assessment

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


def organisation_with_assessments(catalogue, count):
    """An organisation with one provider, one procurement and ``count``
    assessments of 45 answers each, every answer citing a fact."""
    procurement = ProcurementFactory()
    provider = ProviderFactory(organisation=procurement.organisation)
    fact = ProviderFactFactory(provider=provider)
    criteria = list(catalogue.criteria.all())
    for number in range(count):
        assessment = AssessmentFactory(
            procurement=procurement,
            offer=OfferFactory(provider=provider, name=f"Offer {number}"),
        )
        answers = Answer.objects.bulk_create(
            Answer(assessment=assessment, criterion=c, level=2) for c in criteria
        )
        Answer.facts.through.objects.bulk_create(
            Answer.facts.through(answer_id=a.pk, providerfact_id=fact.pk)
            for a in answers
        )
    return procurement.organisation


@pytest.mark.parametrize("count", [2, 7])
def test_the_export_reads_a_bounded_number_of_queries_per_chunk(
    catalogue, count, django_assert_max_num_queries
):
    organisation = organisation_with_assessments(catalogue, count)
    chunks = count // 2 + 1

    # 1 count of assessments; 1 chunk of members; providers: 1 chunk + its
    # facts, offers, certifications; 1 chunk of procurements; per chunk of
    # 2 assessments: the assessments, the facts their answers cite, the
    # answers, the claims, the files (plus the empty chunk that ends the
    # list); 1 chunk of each of the panel's and the award's seven lists (empty
    # here); the webhook endpoints (procurement.signals.exporting); 1 chunk
    # of history.
    with (
        django_assert_max_num_queries(16 + 5 * chunks),
        CaptureQueriesContext(connection) as queries,
    ):
        write_organisation(organisation, io.StringIO(), chunk_size=2)

    assert not [q["sql"] for q in queries if re.search(r"IN \((%s|\d+), ", q["sql"])]


def test_the_export_is_compact_json_written_in_chunks_that_reports_progress(
    catalogue,
):
    organisation = organisation_with_assessments(catalogue, 3)
    stream = io.StringIO()
    progress = []

    write_organisation(organisation, stream, chunk_size=1, progress=progress.append)

    document = json.loads(stream.getvalue())
    assert "\n" not in stream.getvalue() and ", " not in stream.getvalue()[:200]
    assert progress == [5, 10, 39, 69, 99]
    assert [len(a["answers"]) for a in document["assessments"]] == [45, 45, 45]
    assert all(a["answers"][0]["facts"] for a in document["assessments"])


def test_a_file_round_trips_through_the_streaming_import(demo, tmp_path):
    path = tmp_path / "demo.json"
    with path.open("w", encoding="utf-8") as handle:
        write_organisation(demo, handle, chunk_size=1)

    with path.open("rb") as handle:
        result = import_organisation_file(handle, name="Streamed")

    assert result.assessments == 3
    assert sorted(
        Assessment.objects.filter(
            procurement__organisation=result.organisation
        ).values_list("global_score", flat=True)
    ) == sorted(
        Assessment.objects.filter(procurement__organisation=demo).values_list(
            "global_score", flat=True
        )
    )


def test_the_streaming_import_reads_older_pretty_files_and_any_key_order(demo):
    data = export_organisation_data(demo)
    reordered = {key: data[key] for key in reversed(list(data))}
    pretty = json.dumps(reordered, indent=2, ensure_ascii=False).encode("utf-8")

    result = import_organisation_file(io.BytesIO(pretty), name="Reordered")

    assert result.assessments == 3
    assert result.organisation.providers.count() == 3


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"[1, 2]",
        b'{"format": "cloud-of-trust-scorecard/organisation", "format_version": 1',
        b'{"format": "cloud-of-trust-scorecard/organisation", "format_version": 1}',
        b"{not json}",
    ],
)
def test_the_streaming_import_refuses_what_is_not_a_whole_export(db, content):
    with pytest.raises(ImportRefused):
        import_organisation_file(io.BytesIO(content))

    assert not Organisation.objects.exists()


def test_the_export_carries_the_history_with_its_hashes_and_verifies(
    demo, tmp_path, capsys
):
    from django.core.management import call_command

    path = tmp_path / "organisation.json"
    with path.open("w", encoding="utf-8") as handle:
        write_organisation(demo, handle)
    data = json.loads(path.read_text())

    call_command("verify_history", "--export", str(path))

    assert [e["sequence"] for e in data["history"]] == list(
        range(1, len(data["history"]) + 1)
    )
    assert all(len(e["hash"]) == 64 for e in data["history"])
    assert "holds" in capsys.readouterr().out


def test_a_tampered_export_fails_verification(demo, tmp_path):
    from django.core.management import CommandError, call_command

    data = export_organisation_data(demo)
    data["history"][1]["reason"] = "rewritten"
    path = tmp_path / "organisation.json"
    path.write_text(json.dumps(data))

    with pytest.raises(CommandError):
        call_command("verify_history", "--export", str(path))


def test_an_import_keeps_approvals_frozen_and_links_the_old_chain(demo):
    approved = Assessment.objects.filter(
        procurement__organisation=demo, status="approved"
    ).first()
    data = json.loads(json.dumps(export_organisation_data(demo)))

    result = import_organisation_data(data, name="Demo Ministry (copy)")

    copy = Assessment.objects.get(
        procurement__organisation=result.organisation,
        offer__name=approved.offer.name,
    )
    assert copy.approval_record["offer"]["id"] == copy.offer_id
    assert copy.approval_record["offer"]["name"] == approved.offer.name
    from procurement.approvals import changes_since_approval
    from procurement.models import HistoryEntry

    assert changes_since_approval(copy) == []
    link = HistoryEntry.objects.get(organisation=result.organisation)
    assert link.changes[1]["after"] == data["history"][-1]["hash"]


def test_an_archive_carries_the_files_and_claims_and_an_import_checks_them(
    demo, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from procurement import services
    from procurement.models import Claim, EvidenceFile
    from procurement.portability import write_archive

    draft = Assessment.objects.filter(
        procurement__organisation=demo, status="draft"
    ).first()
    lead = demo.memberships.get(role="lead").user
    services.add_evidence(
        draft, "SEC-1", SimpleUploadedFile("c.pdf", b"%PDF-1.7 proof"), user=lead
    )
    invitation, _token = services.invite_bidder(draft, user=lead)
    services.save_claims(invitation, [services.ClaimData("SEC-1", 3)])
    path = tmp_path / "organisation.zip"
    with path.open("wb") as handle:
        write_archive(demo, handle)

    with path.open("rb") as handle:
        result = import_organisation_file(handle, name="Copy")

    copy = EvidenceFile.objects.get(assessment__organisation=result.organisation)
    assert stored_bytes(copy.file) == b"%PDF-1.7 proof"
    assert (
        Claim.objects.filter(assessment__organisation=result.organisation).count() == 1
    )


def test_an_archive_with_an_altered_file_is_refused(demo, tmp_path):
    import zipfile

    from django.core.files.uploadedfile import SimpleUploadedFile

    from procurement import services
    from procurement.portability import write_archive

    draft = Assessment.objects.filter(
        procurement__organisation=demo, status="draft"
    ).first()
    lead = demo.memberships.get(role="lead").user
    stored = services.add_evidence(
        draft, "SEC-1", SimpleUploadedFile("c.pdf", b"%PDF-1.7 proof"), user=lead
    )
    original = tmp_path / "organisation.zip"
    with original.open("wb") as handle:
        write_archive(demo, handle)
    altered = tmp_path / "altered.zip"
    with zipfile.ZipFile(original) as source, zipfile.ZipFile(altered, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == f"files/{stored.sha256}":
                data = b"%PDF-1.7 forged"
            target.writestr(item, data)

    with altered.open("rb") as handle, pytest.raises(ImportRefused, match="altered"):
        import_organisation_file(handle, name="Copy")


def test_the_json_alone_is_refused_when_it_lists_files(demo):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from procurement import services

    draft = Assessment.objects.filter(
        procurement__organisation=demo, status="draft"
    ).first()
    lead = demo.memberships.get(role="lead").user
    services.add_evidence(
        draft, "SEC-1", SimpleUploadedFile("c.pdf", b"%PDF-1.7 proof"), user=lead
    )

    with pytest.raises(ImportRefused, match="zip"):
        import_organisation_data(export_organisation_data(demo), name="Copy")


def test_the_panel_and_the_award_go_out_and_come_back(organisation, lead, catalogue):
    procurement = ProcurementFactory(
        organisation=organisation, catalogue=catalogue, status="draft"
    )
    assessment = scored_assessment(procurement, lead, 3, name="Paneled")
    created = set_award_criteria(
        procurement,
        user=lead,
        criteria=[
            AwardCriterionData("sovereignty", 60),
            AwardCriterionData("price", 40, formula="proportional"),
        ],
    )
    price = next(c for c in created if c.kind == "price")
    set_award_marks(assessment, user=lead, values={price.pk: "1234.50"})
    panel.set_panel(procurement, user=lead, seats=[panel.SeatData(lead.pk, ["JUR"])])
    codes = list(
        catalogue.criteria.filter(pillar__code="JUR").values_list("code", flat=True)
    )
    panel.declare_interests(assessment, user=lead, conflict=False)
    panel.save_scores(
        assessment, user=lead, scores=[panel.ScoreData(code, 2) for code in codes]
    )
    panel.submit_scores(assessment, user=lead)
    panel.record_consensus(
        assessment,
        user=lead,
        criterion="JUR-1",
        level=2,
        evidence="documented",
        rationale="Agreed.",
    )
    panel.add_comment(assessment, user=lead, criterion="JUR-1", text="See clause 4.")
    data = export_organisation_data(organisation)

    result = import_organisation_data(data, name="Copy", link_members=True)

    copy = result.organisation
    assert PanelSeat.objects.get(procurement__organisation=copy).pillars == ["JUR"]
    assert IndividualScore.objects.filter(
        assessment__procurement__organisation=copy
    ).count() == len(codes)
    assert (
        ModerationDecision.objects.get(
            assessment__procurement__organisation=copy
        ).rationale
        == "Agreed."
    )
    assert (
        PanelComment.objects.get(assessment__procurement__organisation=copy).text
        == "See clause 4."
    )
    assert AwardMark.objects.get(
        assessment__procurement__organisation=copy
    ).value == Decimal("1234.50")
