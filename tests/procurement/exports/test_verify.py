"""verify_export: an archived JSON export re-scored and compared, number by number."""

import json
from decimal import Decimal as D
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from procurement import services
from procurement.exports import export_assessment, export_procurement
from procurement.exports.json import digest
from procurement.exports.verify import verify_export
from procurement.services import AnswerData
from tests.procurement.exports.helpers import assess, reference_case, tender

pytestmark = pytest.mark.django_db


@pytest.fixture
def document(procurement):
    assessment = procurement.assessments.get(offer__name="Strong IaaS")
    return json.loads(export_assessment(assessment, "json").content, parse_float=D)


def write(tmp_path, document):
    path = tmp_path / "export.json"
    path.write_text(json.dumps(document, default=float), encoding="utf-8")
    return path


def verify(path):
    out = StringIO()
    call_command("verify_export", str(path), stdout=out)
    return out.getvalue()


def test_an_untouched_assessment_export_matches(tmp_path, document):
    output = verify(write(tmp_path, document))

    assert "matches" in output
    assert "1 scorecard(s) re-scored under cloud-of-trust 1.0" in output


def test_an_untouched_procurement_export_matches_with_its_ranking(
    tmp_path, procurement
):
    path = tmp_path / "procurement.json"
    path.write_bytes(export_procurement(procurement, "json").content)

    assert "2 scorecard(s) re-scored" in verify(path)
    assert "same ranking" in verify(path)


def test_a_french_export_of_a_reference_case_matches(catalogue):
    reference = reference_case(catalogue)

    result = verify_export(export_assessment(reference, "json", language="fr").content)

    assert (result.ok, result.checked) == (True, 1)


def test_an_export_with_unknown_not_applicable_and_missing_answers_matches(
    procurement, lead
):
    partial = assess(procurement, lead, "Partial", 3, only={"OWN-1", "JUR-1"})
    partial = services.record_answers(
        partial,
        user=lead,
        version=partial.version,
        answers=[
            AnswerData("TEC-5", not_applicable=True),
            AnswerData("OWN-2", level=None),
        ],
    )

    result = verify_export(export_assessment(partial, "json").content)

    assert (result.ok, result.differences, result.problems) == (True, (), ())


def test_an_empty_procurement_export_matches(organisation, lead, catalogue):
    empty = tender(organisation, lead, bidders=[])

    result = verify_export(export_procurement(empty, "json").content)

    assert (result.ok, result.checked) == (True, 0)


def test_a_tampered_score_is_reported_with_the_engines_value(tmp_path, document):
    engine_score = document["scorecard"]["global_score"]
    document["scorecard"]["global_score"] = D("99.9")

    with pytest.raises(CommandError, match="does NOT match") as error:
        verify(write(tmp_path, document))

    assert f"scorecard.global_score: the file has 99.9, the engine {engine_score}" in (
        str(error.value)
    )


def test_a_tampered_pillar_score_is_reported(document):
    document["scorecard"]["pillars"][1]["score"] = D("12.5")

    result = verify_export(json.dumps(document, default=float))

    assert [d.split(":")[0] for d in result.differences] == [
        "scorecard.pillars[1].score"
    ]


def test_a_tampered_input_breaks_the_digest(tmp_path, document):
    document["inputs"]["answers"][0]["level"] = 1

    with pytest.raises(CommandError, match="digest: the file says"):
        verify(write(tmp_path, document))


def test_a_tampered_input_with_a_recomputed_digest_breaks_the_scores(document):
    document["inputs"]["answers"][0]["level"] = 0
    document["digest"] = digest(document["inputs"])

    result = verify_export(json.dumps(document, default=float))

    assert not result.ok
    assert "scorecard.global_score: the file has" in "\n".join(result.differences)
    assert not any("digest" in d for d in result.differences)


def test_a_tampered_rank_in_a_procurement_is_reported(procurement):
    document = json.loads(export_procurement(procurement, "json").content)
    document["ranking"][1]["rank"] = 2

    result = verify_export(json.dumps(document))

    assert result.differences == (
        "ranking (Weak Cloud - Weak IaaS).rank: the file has 2, the engine null",
    )


def test_a_removed_offer_breaks_the_procurement_digest_chain(procurement):
    document = json.loads(export_procurement(procurement, "json").content)
    del document["assessments"][1]

    result = verify_export(json.dumps(document))

    assert any("list of assessment digests" in d for d in result.differences)


def test_an_unknown_catalogue_version_is_named(tmp_path, document):
    document["inputs"]["catalogue"]["version"] = "9.9"
    document["digest"] = digest(document["inputs"])

    with pytest.raises(
        CommandError, match="catalogue cloud-of-trust version 9.9 is not loaded"
    ):
        verify(write(tmp_path, document))


def test_a_file_that_is_not_json_is_refused_clearly(tmp_path):
    path = tmp_path / "report.pdf"
    path.write_bytes(b"%PDF-1.7 not json")

    with pytest.raises(CommandError, match="not valid JSON"):
        verify(path)


def test_a_json_file_of_another_tool_is_refused_clearly(tmp_path):
    path = write(tmp_path, {"hello": "world"})

    with pytest.raises(CommandError, match="not a cloud-of-trust-scorecard export"):
        verify(path)


def test_an_incomplete_export_is_refused_clearly(tmp_path, document):
    del document["inputs"]

    with pytest.raises(CommandError, match="incomplete or malformed"):
        verify(write(tmp_path, document))


def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        verify(tmp_path / "nowhere.json")
