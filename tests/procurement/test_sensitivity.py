"""The ranking under every profile, from answers a procurement report loaded."""

from decimal import Decimal

import pytest

from procurement import services
from procurement.scorecards import procurement_report
from procurement.sensitivity import sensitivity
from tests.factories import OfferFactory, ProcurementFactory, published_profile

pytestmark = pytest.mark.django_db


def assess(procurement, user, levels, name):
    """An offer whose answers are ``levels(criterion)``, all verified."""
    offer = OfferFactory(provider__organisation=procurement.organisation, name=name)
    assessment = services.start_assessment(
        user=user, procurement=procurement, offer=offer
    )
    return services.record_answers(
        assessment,
        user=user,
        version=assessment.version,
        answers=[
            services.AnswerData(c.code, levels(c), "verified")
            for c in procurement.catalogue.criteria.select_related("pillar")
        ],
    )


def at(level, **pillars):
    """Every criterion at ``level``, except the pillars given."""
    return lambda criterion: pillars.get(criterion.pillar.code, level)


def results(analysis, assessment):
    row = next(r for r in analysis.rows if r.assessment.pk == assessment.pk)
    return {r.profile: (r.global_score, r.eligible, r.rank) for r in row.results}


def test_an_offer_excluded_under_n3_is_ranked_under_n2(procurement, lead):
    # Level 2 everywhere meets N2's knock-outs (at most 2) but not N3's (3).
    middling = assess(procurement, lead, at(2), "Middling")

    analysis = sensitivity(procurement_report(procurement))

    assert results(analysis, middling) == {
        "N1": (Decimal("50.0"), True, 1),
        "N2": (Decimal("50.0"), True, 1),
        "N3": (Decimal("50.0"), False, None),
        "N4": (Decimal("50.0"), False, None),
    }
    n3 = analysis.rows[0].result("N3")
    assert "JUR-1" in n3.knockouts
    assert analysis.rows[0].result("N2").knockouts == ()


def test_the_profiles_weights_can_reverse_the_order(procurement, lead):
    # Level 3 everywhere, and 4 in one pillar: REV weighs 20 in N1 and 9 in
    # N3, JUR 10 in N1 and 18 in N3 (each profile's weights add up to 100).
    # N1: 75 + 25 x 20/100 = 80.0 against 75 + 25 x 10/100 = 77.5;
    # N2 (REV 13, JUR 15) already puts the lawful offer first;
    # N3: 75 + 25 x 9/100 = 77.25 (77.3) against 75 + 25 x 18/100 = 79.5.
    reviewed = assess(procurement, lead, at(3, REV=4), "Reviewed")
    lawful = assess(procurement, lead, at(3, JUR=4), "Lawful")

    analysis = sensitivity(procurement_report(procurement))

    assert results(analysis, reviewed)["N1"] == (Decimal("80.0"), True, 1)
    assert results(analysis, lawful)["N1"] == (Decimal("77.5"), True, 2)
    assert results(analysis, reviewed)["N3"] == (Decimal("77.3"), True, 2)
    assert results(analysis, lawful)["N3"] == (Decimal("79.5"), True, 1)
    assert [[a.pk for a in c.leaders] for c in analysis.columns[:3]] == [
        [reviewed.pk],
        [lawful.pk],
        [lawful.pk],
    ]
    assert analysis.leader_depends_on_profile


def test_rows_follow_the_procurements_own_ranking(procurement, lead):
    weak = assess(procurement, lead, at(1), "Weak")
    strong = assess(procurement, lead, at(4), "Strong")
    fair = assess(procurement, lead, at(3), "Fair")

    report = procurement_report(procurement)
    analysis = sensitivity(report)

    assert [row.assessment.pk for row in analysis.rows] == [
        row.assessment.pk for row, _item in report.rows
    ]
    assert [row.assessment.pk for row in analysis.rows] == [strong.pk, fair.pk, weak.pk]


def test_the_procurements_profile_matches_its_ranking_and_is_marked(procurement, lead):
    assess(procurement, lead, at(3), "Fair")
    assess(procurement, lead, at(2), "Middling")

    report = procurement_report(procurement)
    analysis = sensitivity(report)

    assert analysis.profile == "N3"
    assert [(c.code, c.current) for c in analysis.columns] == [
        ("N1", False),
        ("N2", False),
        ("N3", True),
        ("N4", False),
    ]
    own = [
        (row.result("N3").global_score, row.result("N3").rank) for row in analysis.rows
    ]
    ranked = [(item.scorecard.global_score, row.rank) for row, item in report.rows]
    assert own == ranked


def test_columns_count_the_offers_each_profile_lets_through(procurement, lead):
    assess(procurement, lead, at(3), "Fair")
    assess(procurement, lead, at(2), "Middling")
    assess(procurement, lead, at(0), "Nothing")

    analysis = sensitivity(procurement_report(procurement))

    assert [(c.code, c.eligible, c.total) for c in analysis.columns] == [
        ("N1", 2, 3),
        ("N2", 2, 3),
        ("N3", 1, 3),
        ("N4", 0, 3),
    ]


def test_equal_scores_share_a_rank_under_every_profile(procurement, lead):
    assess(procurement, lead, at(3), "Twin A")
    assess(procurement, lead, at(3), "Twin B")

    analysis = sensitivity(procurement_report(procurement))

    assert {
        (r.profile, r.rank, r.tied) for row in analysis.rows for r in row.results
    } == {("N1", 1, True), ("N2", 1, True), ("N3", 1, True), ("N4", None, False)}
    assert not analysis.leader_depends_on_profile


def test_an_offer_without_answers_is_excluded_everywhere(procurement, lead):
    offer = OfferFactory(provider__organisation=procurement.organisation)
    blank = services.start_assessment(user=lead, procurement=procurement, offer=offer)

    analysis = sensitivity(procurement_report(procurement))

    assert results(analysis, blank) == {
        "N1": (Decimal("0.0"), False, None),
        "N2": (Decimal("0.0"), False, None),
        "N3": (Decimal("0.0"), False, None),
        "N4": (Decimal("0.0"), False, None),
    }
    assert [c.leaders for c in analysis.columns] == [(), (), (), ()]


def test_an_empty_procurement_has_every_profile_and_no_row(procurement):
    analysis = sensitivity(procurement_report(procurement))

    assert analysis.rows == ()
    assert [(c.code, c.eligible, c.total) for c in analysis.columns] == [
        ("N1", 0, 0),
        ("N2", 0, 0),
        ("N3", 0, 0),
        ("N4", 0, 0),
    ]


def test_evidence_caps_of_a_profile_apply(catalogue, organisation, lead):
    # Declared evidence caps knock-out criteria at 2 under N3 and N4 only.
    procurement = ProcurementFactory(
        organisation=organisation, profile=published_profile("N2")
    )
    offer = OfferFactory(provider__organisation=organisation)
    assessment = services.start_assessment(
        user=lead, procurement=procurement, offer=offer
    )
    services.record_answers(
        assessment,
        user=lead,
        version=assessment.version,
        answers=[
            services.AnswerData(c.code, 4, "declared") for c in catalogue.criteria.all()
        ],
    )

    analysis = sensitivity(procurement_report(procurement))

    row = analysis.rows[0]
    assert (row.result("N2").global_score, row.result("N2").eligible) == (
        Decimal("100.0"),
        True,
    )
    assert row.result("N3").global_score < Decimal("100.0")
    assert not row.result("N3").eligible


def test_it_makes_no_query(procurement, lead, django_assert_num_queries):
    assess(procurement, lead, at(3), "Fair")
    assess(procurement, lead, at(2), "Middling")
    report = procurement_report(procurement)

    with django_assert_num_queries(0):
        sensitivity(report)
