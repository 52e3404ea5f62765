"""The seed command: catalogue, reference cases, demo; safe to run twice."""

from io import StringIO

import pytest
import yaml
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from procurement.models import (
    Answer,
    Assessment,
    Membership,
    Offer,
    Procurement,
    Provider,
    ProviderFact,
)
from procurement.seed import (
    REFERENCE_DIR,
    import_reference_case,
    seed_demo,
    seed_reference_cases,
)
from procurement.services import rank_procurement
from scoring.loader import DEFAULT_CATALOGUE, load_catalogue_text

pytestmark = pytest.mark.django_db

REFERENCE_FILES = sorted(REFERENCE_DIR.glob("*.yaml"))


def counts():
    return [
        model.objects.count()
        for model in (
            Provider,
            ProviderFact,
            Offer,
            Assessment,
            Answer,
            Procurement,
            Membership,
        )
    ]


def test_seed_twice_changes_nothing_the_second_time(catalogue, settings):
    settings.DEBUG = True
    call_command("seed", "--demo", stdout=StringIO())
    first = counts()

    call_command("seed", "--demo", stdout=StringIO())

    assert counts() == first


def test_seed_demo_is_refused_without_debug(catalogue, settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed", "--demo", stdout=StringIO())

    assert not get_user_model().objects.filter(username="demo").exists()


def test_seed_without_demo_creates_no_user(catalogue, settings):
    settings.DEBUG = False

    call_command("seed", stdout=StringIO())

    assert not get_user_model().objects.exists()


def test_seed_demo_prints_the_login(catalogue, settings):
    settings.DEBUG = True
    out = StringIO()

    call_command("seed", "--demo", stdout=out)

    assert "log in as demo / demo" in out.getvalue()


def test_demo_user_is_lead_of_demo_ministry_and_can_log_in(catalogue, client):
    seed_demo()

    membership = Membership.objects.get(user__username="demo")

    assert (membership.organisation.name, membership.role) == ("Demo Ministry", "lead")
    assert client.login(username="demo", password="demo")


def test_demo_procurement_ranks_three_offers_in_different_states(catalogue):
    procurement = seed_demo()

    ranking = rank_procurement(procurement)

    assert procurement.profile.code == "N3"
    assert [
        (str(r.assessment.offer.provider), r.rank, r.assessment.status)
        for r in ranking.rows
    ] == [
        ("Beta Sovereign", 1, "approved"),
        ("Alpha Cloud", 2, "submitted"),
        ("Gamma Hyperscale EU", None, "draft"),
    ]
    assert {
        k["criterion"] for k in ranking.excluded[0].assessment.failed_knockouts
    } >= {
        "OWN-1",
        "JUR-1",
    }


@pytest.fixture
def reference_cases(catalogue):
    return seed_reference_cases().reference_cases


def test_both_reference_cases_ship(reference_cases):
    assert sorted(a.offer.provider.name for a in reference_cases) == [
        "Cloudwatt",
        "Numergy",
    ]
    assert all(a.offer.provider.is_reference_case for a in reference_cases)
    assert all(
        a.procurement is None and a.status == "approved" for a in reference_cases
    )


def test_each_reference_case_answers_all_45_criteria_with_a_justification(
    reference_cases,
):
    for assessment in reference_cases:
        answers = list(assessment.answers.all())

        assert len(answers) == 45
        assert all(a.justification.strip() for a in answers)
        assert all(a.translations.get("fr", {}).get("justification") for a in answers)


def test_every_reference_fact_is_dated_and_sourced(reference_cases):
    for assessment in reference_cases:
        facts = list(assessment.offer.provider.facts.all())

        assert len(facts) >= 10
        assert all(f.as_of and f.source_title for f in facts)
        assert all(f.source_url or f.note for f in facts)


def test_reference_cases_are_assessed_under_n2_at_a_stated_date(reference_cases):
    assert {(a.profile.code, a.as_of.year) for a in reference_cases} == {("N2", 2014)}


def test_reference_snapshot_equals_the_engine(reference_cases):
    for assessment in reference_cases:
        scorecard = assessment.scorecard()

        assert (
            assessment.global_score,
            assessment.trust_level,
            assessment.eligible,
        ) == (
            scorecard.global_score,
            scorecard.trust_level,
            scorecard.eligible,
        )


def test_the_lesson_shows_in_the_numbers(reference_cases):
    for assessment in reference_cases:
        scorecard = assessment.scorecard()
        ownership = scorecard.pillar("OWN").score

        # French ownership scores well; viability, reversibility, supply chain
        # and certification pull the result down.
        assert ownership > max(
            scorecard.pillar(code).score for code in ("REV", "SUP", "SEC")
        )
        assert scorecard.criterion("OWN-1").effective_level >= 3
        assert scorecard.pillar("SEC").score == 0
        assert scorecard.global_score < ownership
        assert not scorecard.eligible


def test_seeding_reference_cases_twice_changes_nothing(reference_cases):
    first = counts()

    seed_reference_cases()

    assert counts() == first


def test_reference_files_exist():
    assert [path.name for path in REFERENCE_FILES] == ["cloudwatt.yaml", "numergy.yaml"]


def test_reseeding_under_a_new_catalogue_version_repins_the_reference_cases(
    reference_cases,
):
    data = yaml.safe_load(DEFAULT_CATALOGUE.read_text(encoding="utf-8"))
    data["version"] = "9.9-test"
    newer = load_catalogue_text(yaml.safe_dump(data, allow_unicode=True)).catalogue
    cloudwatt = yaml.safe_load(
        (REFERENCE_DIR / "cloudwatt.yaml").read_text(encoding="utf-8")
    )

    assessment = import_reference_case(cloudwatt, newer)

    assert assessment.catalogue == newer
    assert assessment.answers.count() == 45
    assert not assessment.answers.exclude(criterion__catalogue=newer).exists()
