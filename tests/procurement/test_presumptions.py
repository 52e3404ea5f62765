"""Certifications that count (brief §8.6): a valid certificate covering the
offer presumes its scheme's levels; expired or out of scope, nothing."""

import datetime
import json

import pytest
from django.urls import reverse

from procurement import services
from procurement.exports import export_assessment
from procurement.portability import export_organisation_data, import_organisation_data
from procurement.services import AnswerData, InvalidAnswers
from scoring import engine
from scoring.loader import LATEST_CATALOGUE, load_catalogue
from tests.factories import OfferFactory, ProcurementFactory
from tests.procurement.api.helpers import client_for, url
from tests.procurement.views.helpers import login

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()
NEXT_YEAR = TODAY + datetime.timedelta(days=365)
LAST_YEAR = TODAY - datetime.timedelta(days=365)


@pytest.fixture
def latest(catalogue):
    return load_catalogue(LATEST_CATALOGUE).catalogue


@pytest.fixture
def tender(latest, organisation):
    return ProcurementFactory(
        organisation=organisation,
        profile=latest.profiles.get(code="N3"),
        catalogue=latest,
    )


def certified_assessment(tender, user, **certificate):
    offer = OfferFactory(provider__organisation=tender.organisation)
    services.add_certification(
        offer,
        user=user,
        scheme="SecNumCloud 3.2",
        scope="IaaS, Paris",
        **{
            "scheme_code": "secnumcloud-3.2",
            "valid_from": LAST_YEAR,
            "valid_to": NEXT_YEAR,
            **certificate,
        },
    )
    return services.start_assessment(user=user, procurement=tender, offer=offer)


def levels(assessment):
    return {
        a.criterion.code: (a.level, a.evidence, a.presumed_level)
        for a in assessment.answers.select_related("criterion")
    }


def test_a_valid_secnumcloud_certificate_presumes_its_levels(tender, evaluator, latest):
    assessment = certified_assessment(tender, evaluator)

    presumed = latest.scheme_specs()["secnumcloud-3.2"].presumes
    assert levels(assessment) == {
        code: (level, "verified", level) for code, level in presumed.items()
    }
    sec1 = assessment.answers.get(criterion__code="SEC-1")
    assert sec1.presumed_by.scheme_code == "secnumcloud-3.2"
    assert sec1.justification.startswith("Presumed from SecNumCloud 3.2 (valid until")
    assessment.refresh_from_db()
    assert assessment.scorecard().criterion("SEC-1").effective_level == 4
    assert assessment.global_score == assessment.scorecard().global_score


@pytest.mark.parametrize(
    "certificate",
    [
        {"valid_to": LAST_YEAR, "valid_from": LAST_YEAR - datetime.timedelta(days=9)},
        {"covers_offer": False},
        {"scheme_code": ""},
        {"valid_to": None},
    ],
    ids=["expired", "out-of-scope", "unknown-scheme", "no-end-date"],
)
def test_no_presumption_without_a_valid_certificate_covering_the_offer(
    tender, evaluator, certificate
):
    assessment = certified_assessment(tender, evaluator, **certificate)

    assert not assessment.answers.exists()


def test_the_pure_rule_keeps_the_highest_presumption():
    schemes = {
        "a": engine.SchemeSpec("a", {"SEC-1": 2, "DAT-1": 3}),
        "b": engine.SchemeSpec("b", {"SEC-1": 4}),
    }
    day = datetime.date(2026, 6, 1)
    valid = (datetime.date(2025, 1, 1), datetime.date(2027, 1, 1))

    presumed = engine.presumed_levels(
        schemes,
        [
            engine.CertificateInput(1, "a", *valid),
            engine.CertificateInput(2, "b", *valid),
            engine.CertificateInput(3, "b", datetime.date(2026, 7, 1), None),
        ],
        day,
    )

    assert presumed == {
        "SEC-1": engine.Presumption(4, 2, "b"),
        "DAT-1": engine.Presumption(3, 1, "a"),
    }


def test_the_evaluator_goes_higher_with_evidence_or_lower_with_a_reason(
    tender, evaluator
):
    assessment = certified_assessment(tender, evaluator)

    higher = services.record_answers(
        assessment,
        user=evaluator,
        version=assessment.version,
        answers=[AnswerData("OWN-1", level=4)],
    )
    with pytest.raises(InvalidAnswers) as refused:
        services.record_answers(
            higher,
            user=evaluator,
            version=higher.version,
            answers=[AnswerData("OWN-2", level=1)],
        )
    lower = services.record_answers(
        higher,
        user=evaluator,
        version=higher.version,
        answers=[
            AnswerData(
                "OWN-2",
                level=1,
                justification="The parent's US shareholder got a veto in 2026.",
            )
        ],
    )

    assert "presumes level 3" in str(refused.value.errors)
    assert levels(lower)["OWN-1"][0] == 4 and levels(lower)["OWN-2"][0] == 1


def test_evaluator_answers_are_never_overwritten(tender, evaluator):
    offer = OfferFactory(provider__organisation=tender.organisation)
    assessment = services.start_assessment(
        user=evaluator, procurement=tender, offer=offer
    )
    assessment = services.record_answers(
        assessment,
        user=evaluator,
        version=assessment.version,
        answers=[AnswerData("SEC-1", level=2, evidence="documented")],
    )

    services.add_certification(
        offer,
        user=evaluator,
        scheme="SecNumCloud 3.2",
        scheme_code="secnumcloud-3.2",
        valid_from=LAST_YEAR,
        valid_to=NEXT_YEAR,
    )

    answers = levels(assessment)
    assert answers["SEC-1"] == (2, "documented", None)
    assert answers["OWN-1"] == (3, "verified", 3)


def test_pages_and_exports_say_which_levels_were_presumed(client, tender, evaluator):
    assessment = certified_assessment(tender, evaluator)
    login(client, evaluator)

    page = client.get(assessment.get_absolute_url()).content.decode()
    editor = client.get(
        reverse("procurement:assessment-edit", args=[assessment.pk]) + "?pillar=SEC"
    ).content.decode()
    document = json.loads(export_assessment(assessment, "json").content)

    assert "Presumed from SecNumCloud 3.2 (valid until" in page
    assert "Presumed from SecNumCloud 3.2 (valid until" in editor
    sec1 = next(a for a in document["answers"] if a["criterion"] == "SEC-1")
    assert sec1["presumed_from"] == {
        "scheme": "SecNumCloud 3.2",
        "scheme_code": "secnumcloud-3.2",
        "valid_to": NEXT_YEAR.isoformat(),
        "minimum_level": 4,
    }
    own4 = next(a for a in document["answers"] if a["criterion"] == "SEC-2")
    assert own4["presumed_from"]["minimum_level"] == 3


def test_the_api_accepts_the_scheme_code(offer, evaluator, latest):
    client = client_for(evaluator)

    created = client.post(
        url("offer-certifications", offer.pk),
        {"scheme_code": "c5-type2", "valid_to": NEXT_YEAR.isoformat()},
    )
    refused = client.post(
        url("offer-certifications", offer.pk), {"scheme_code": "made-up-1"}
    )

    assert created.status_code == 201
    assert (created.json()["scheme"], created.json()["scheme_code"]) == (
        "BSI C5 Type 2",
        "c5-type2",
    )
    assert refused.status_code == 400
    assert "secnumcloud-3.2" in str(refused.json())


def test_the_spreadsheets_name_the_certificate_behind_a_presumed_level(
    tender, evaluator
):
    assessment = certified_assessment(tender, evaluator)

    text = export_assessment(assessment, "csv").content.decode("utf-8-sig")

    assert "Presumed from a certification" in text
    assert (
        f"SecNumCloud 3.2 (valid until {NEXT_YEAR.isoformat()}): level 4 or more"
        in (text)
    )


def test_the_organisation_export_keeps_where_a_level_was_presumed_from(
    tender, evaluator
):
    certified_assessment(tender, evaluator)
    data = export_organisation_data(tender.organisation)

    copy = import_organisation_data(data, name="Copy", link_members=True).organisation

    answer = (
        copy.procurements.get().assessments.get().answers.get(criterion__code="SEC-1")
    )
    assert (answer.presumed_by.scheme_code, answer.presumed_level) == (
        "secnumcloud-3.2",
        4,
    )
