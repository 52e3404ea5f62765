"""A lead adjusts the profile for one procurement: weights within bounds,
knock-out thresholds lowered, with a reason, before it opens."""

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from procurement import scorecards, services
from procurement.exports import export_assessment
from procurement.exports.verify import verify_export
from procurement.models import HistoryEntry, Procurement
from procurement.portability import export_organisation_data, import_organisation_data
from scoring import overlays
from scoring.adjustments import Adjustment, adjusted, threshold_problems
from tests.factories import ProcurementFactory
from tests.procurement.api.helpers import client_for, url
from tests.procurement.views.helpers import login, scored_assessment

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(organisation, lead):
    procurement = ProcurementFactory(
        organisation=organisation, status=Procurement.Status.DRAFT
    )
    scored_assessment(procurement, lead, 2, name="Middling")
    return procurement


def profile_weights(procurement):
    spec = procurement.catalogue.to_spec()
    profile = next(p for p in spec.profiles if p.code == procurement.profile.code)
    return {code: int(weight) for code, weight in profile.pillar_weights.items()}


def profile_form(page):
    """The profile page's inputs as they stand: weights, then thresholds."""
    weights = {f"weight-{p.code}": int(w) for p, w, _c in page.context["weight_rows"]}
    thresholds = {
        f"threshold-{c.code}": level
        for c, level, _c, _l in page.context["threshold_rows"]
    }
    return weights, thresholds


def moved(weights, source, target, points):
    return {
        **weights,
        source: weights[source] - points,
        target: weights[target] + points,
    }


def test_weights_move_within_the_limit_and_rescore_every_offer(draft, lead):
    weights = profile_weights(draft)
    source, target = sorted(weights)[:2]
    before = draft.assessments.get().global_score

    services.adjust_method(
        draft,
        user=lead,
        pillar_weights=moved(weights, source, target, 10),
        lowered_thresholds={},
        reason="The service holds no personal data.",
    )

    draft.refresh_from_db()
    assessment = draft.assessments.get()
    assert draft.pillar_weights == {
        source: weights[source] - 10,
        target: weights[target] + 10,
    }
    assert assessment.global_score == assessment.scorecard().global_score
    assert HistoryEntry.objects.filter(
        action="procurement.changed", reason="The service holds no personal data."
    ).exists()
    assert before is not None


def test_a_weight_past_the_catalogues_limit_is_refused(draft, lead):
    weights = profile_weights(draft)
    source, target = sorted(weights)[:2]

    with pytest.raises(ValidationError) as refused:
        services.adjust_method(
            draft,
            user=lead,
            pillar_weights=moved(weights, source, target, 11),
            lowered_thresholds={},
            reason="Too far.",
        )

    assert "moves more than 10 points" in refused.value.messages[0]


def test_a_lowered_threshold_lets_an_offer_through(draft, lead):
    assessment = draft.assessments.get()
    assert not assessment.eligible  # level 2 everywhere fails N3's 3s

    spec = draft.catalogue.to_spec()
    thresholds = next(p for p in spec.profiles if p.code == "N3").thresholds
    services.adjust_method(
        draft,
        user=lead,
        pillar_weights={},
        lowered_thresholds={code: 2 for code, level in thresholds.items() if level > 2},
        reason="French-law parity for this procurement.",
    )

    assessment.refresh_from_db()
    assert assessment.eligible


def test_only_lower_thresholds_on_knockout_criteria():
    assert threshold_problems({"JUR-1": 3}, {"JUR-1": 4, "OWN-9": 1}) == [
        "JUR-1: only a lower threshold than 3 can be set.",
        "OWN-9 is not a knock-out criterion of the profile.",
    ]


def test_an_adjustment_needs_a_lead_a_draft_and_a_reason(draft, lead, evaluator):
    weights = profile_weights(draft)
    with pytest.raises(PermissionDenied):
        services.adjust_method(
            draft,
            user=evaluator,
            pillar_weights=weights,
            lowered_thresholds={},
            reason="x",
        )
    with pytest.raises(ValidationError):
        services.adjust_method(
            draft,
            user=lead,
            pillar_weights={},
            lowered_thresholds={"JUR-1": 1},
            reason="",
        )
    draft.status = Procurement.Status.OPEN
    draft.save()
    with pytest.raises(ValidationError):
        services.adjust_method(
            draft,
            user=lead,
            pillar_weights={},
            lowered_thresholds={"JUR-1": 1},
            reason="x",
        )


def test_the_export_carries_the_adjustment_and_verifies(draft, lead):
    services.adjust_method(
        draft,
        user=lead,
        pillar_weights={},
        lowered_thresholds={"JUR-1": 2},
        reason="Parity.",
    )
    content = export_assessment(draft.assessments.get(), "json").content
    document = json.loads(content)

    result = verify_export(content)

    assert document["inputs"]["adjustment"]["lowered_thresholds"] == {"JUR-1": 2}
    assert result.ok, result.problems + result.differences


def test_adjusted_spec_changes_only_the_procurements_profile(catalogue):
    spec = catalogue.to_spec()

    changed = adjusted(spec, "N3", Adjustment.of({}, {"JUR-1": 1}))

    by_code = {p.code: p for p in changed.profiles}
    assert by_code["N3"].thresholds["JUR-1"] == 1
    assert (
        by_code["N4"].thresholds
        == next(p for p in spec.profiles if p.code == "N4").thresholds
    )
    assert adjusted(spec, "N3", Adjustment.of({}, {"JUR-1": 1})) is changed


def test_a_lead_lowers_a_threshold_on_the_page_and_every_page_says_so(
    client, draft, lead
):
    login(client, lead)
    url = reverse("procurement:procurement-adjust", args=[draft.pk])
    page = client.get(url)
    weights, thresholds = profile_form(page)

    response = client.post(
        url, {**weights, **thresholds, "threshold-JUR-1": 2, "reason": "Parity."}
    )
    detail = client.get(draft.get_absolute_url()).content.decode()

    draft.refresh_from_db()
    assert response.status_code == 302
    assert draft.lowered_thresholds == {"JUR-1": 2}
    assert "adjusted for this procurement: Parity." in detail


def test_the_page_refuses_a_weight_past_the_limit_and_says_why(client, draft, lead):
    login(client, lead)
    url = reverse("procurement:procurement-adjust", args=[draft.pk])
    page = client.get(url)
    rows = page.context["weight_rows"]
    weights = {f"weight-{p.code}": int(w) for p, w, _c in rows}
    first, second = rows[0][0].code, rows[1][0].code
    weights[f"weight-{first}"] += 30
    weights[f"weight-{second}"] -= 30

    response = client.post(url, {**weights, "reason": "Too far."})

    assert response.status_code == 400
    assert "moves more than 10 points" in response.content.decode()


def test_the_api_adjusts_and_refuses_like_the_page(draft, lead, evaluator):
    address = url("procurement-profile-adjustment", draft.pk)
    body = {"pillar_weights": {}, "lowered_thresholds": {"JUR-1": 2}, "reason": "P."}

    refused = client_for(evaluator).put(address, body, format="json")
    done = client_for(lead).put(address, body, format="json")
    too_high = client_for(lead).put(
        address, {**body, "lowered_thresholds": {"JUR-1": 4}}, format="json"
    )

    assert refused.status_code == 403
    assert done.json()["lowered_thresholds"] == {"JUR-1": 2}
    assert too_high.status_code == 400


# jurisdiction overlays ------------------------------------------------------------


@pytest.fixture
def good(organisation, lead):
    procurement = ProcurementFactory(
        organisation=organisation, status=Procurement.Status.DRAFT
    )
    scored_assessment(procurement, lead, 3, name="Good")
    return procurement


def apply_overlays(procurement, lead, codes):
    return services.adjust_method(
        procurement,
        user=lead,
        pillar_weights={},
        lowered_thresholds={},
        reason="",
        overlays=codes,
    )


def test_the_shipped_overlays_name_their_rules_and_sources():
    codes = {o.code for o in overlays.for_profile("cloud-of-trust", "N3")}

    assert {"fr-state-sensitive", "it-strategic", "de-federal"} <= codes
    assert overlays.all_overlays()["fr-state-sensitive"].rules[0].min_level == 4


def test_an_unmet_overlay_excludes_the_offer_with_the_rule_in_words(good, lead):
    assessment = good.assessments.get()
    assert assessment.eligible

    apply_overlays(good, lead, ["fr-state-sensitive"])

    assessment.refresh_from_db()
    report = scorecards.assessment_report(assessment)
    assert not assessment.eligible
    assert [line.text for line in report.knockouts] == [
        "SEC-1 Security certification or qualification of the exact offer: level 3, "
        "N3 requires 4 (SEC-1 requires SecNumCloud 3.2 or an equivalent EU "
        "qualification (decree 2026-272))"
    ]


def test_an_overlay_of_another_profile_or_unknown_is_refused(good, lead):
    with pytest.raises(ValidationError) as refused:
        apply_overlays(good, lead, ["nowhere"])

    assert "nowhere is not an overlay" in refused.value.messages[0]


def test_an_overlay_export_verifies(good, lead):
    apply_overlays(good, lead, ["fr-state-sensitive"])
    content = export_assessment(good.assessments.get(), "json").content

    assert json.loads(content)["inputs"]["adjustment"]["thresholds"] == {"SEC-1": 4}
    assert verify_export(content).ok


def test_the_page_chooses_an_overlay(client, good, lead):
    login(client, lead)
    url = reverse("procurement:procurement-adjust", args=[good.pk])
    page = client.get(url)
    weights, thresholds = profile_form(page)

    client.post(url, {**weights, **thresholds, "overlay": "de-federal", "reason": ""})

    good.refresh_from_db()
    assert good.overlays == ["de-federal"]
    assert (
        "jurisdiction overlays: de-federal"
        in client.get(good.get_absolute_url()).content.decode()
    )


def test_the_organisation_export_keeps_the_adjustment(good, lead):
    apply_overlays(good, lead, ["fr-state-sensitive"])
    data = export_organisation_data(good.organisation)

    copy = import_organisation_data(data, name="Copy", link_members=True).organisation

    imported = copy.procurements.get()
    assert imported.overlays == ["fr-state-sensitive"]
    assert not imported.assessments.get().eligible


def test_the_scorecard_says_its_profile_was_adjusted(client, draft, lead):
    services.adjust_method(
        draft,
        user=lead,
        pillar_weights={},
        lowered_thresholds={"JUR-1": 2},
        reason="Parity.",
    )
    login(client, lead)

    content = client.get(draft.assessments.get().get_absolute_url()).content.decode()

    assert "as adjusted for this procurement: Parity. JUR-1 at least 2" in content
