"""Bidders answer through a link or the grid; the evaluators judge their claims."""

import datetime
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from procurement import services
from procurement.exports import grid
from procurement.models import Assessment, Claim, HistoryEntry, Invitation
from procurement.services import AnswerData, ClaimData
from tests.factories import OfferFactory
from tests.procurement.api.helpers import client_for, url

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def invited(assessment, lead):
    invitation, token = services.invite_bidder(
        assessment, user=lead, contact_email="bids@alpha.example"
    )
    return invitation, token


def bid_url(token, name="bid"):
    return reverse(name, args=[token])


def test_the_token_is_stored_hashed_and_the_invitation_recorded(invited):
    invitation, token = invited

    assert token not in invitation.token_hash
    assert invitation.token_hash == services.bidders.token_hash(token)
    entry = HistoryEntry.objects.get(action="invitation.created")
    assert token not in str(entry.changes)


def test_only_a_lead_invites(assessment, evaluator):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.invite_bidder(assessment, user=evaluator)


def test_a_wrong_token_is_a_404_that_says_nothing(client, invited):
    response = client.get(bid_url("not-a-token"))

    assert response.status_code == 404
    assert "alpha" not in response.content.decode().lower()


def test_an_expired_and_a_revoked_link_are_410(client, invited, assessment, lead):
    invitation, token = invited
    other, other_token = services.invite_bidder(assessment, user=lead)
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    services.revoke_invitation(other, user=lead)

    assert client.get(bid_url(token)).status_code == 410
    assert client.get(bid_url(other_token)).status_code == 410


def test_wrong_links_from_one_address_are_throttled(client, invited):
    for _ in range(20):
        client.get(bid_url("guess"))

    assert client.get(bid_url("guess")).status_code == 429


def test_the_bidder_sees_only_its_questionnaire(client, invited, procurement):
    _invitation, token = invited

    page = client.get(bid_url(token)).content.decode()

    assert "JUR-1" not in page or "OWN-1" in page  # one pillar at a time
    assert "OWN-1" in page
    for link in ("/procurements/", "/providers/", "/assessments/", "/api/"):
        assert f'href="{link}' not in page


def claim_post(assessment, pillar, level="3", text="We comply."):
    data = {"pillar": pillar}
    for criterion in assessment.catalogue.criteria.filter(pillar__code=pillar):
        data[f"{criterion.code}-level"] = level
        data[f"{criterion.code}-justification"] = text
    return data


def test_the_bidder_saves_a_draft_then_submits_once(client, invited, assessment):
    invitation, token = invited

    saved = client.post(bid_url(token), claim_post(assessment, "OWN"))
    submitted = client.post(bid_url(token, "bid-submit"))
    again = client.post(bid_url(token), claim_post(assessment, "OWN", level="4"))

    assert (saved.status_code, submitted.status_code) == (302, 302)
    claims = Claim.objects.filter(assessment=assessment)
    assert claims.count() == 5 and {c.level for c in claims} == {3}
    invitation.refresh_from_db()
    assert invitation.submitted_at is not None
    assert "read-only" in again.content.decode()
    assert {c.level for c in Claim.objects.filter(assessment=assessment)} == {3}
    entries = HistoryEntry.objects.filter(action="claim.changed")
    assert entries.count() == 5
    assert entries.first().user_name.startswith("bids@alpha.example")


def test_the_bidder_attaches_a_pdf_and_the_evaluator_reads_it(
    client, invited, assessment, evaluator
):
    _invitation, token = invited

    client.post(
        bid_url(token, "bid-file"),
        {
            "criterion": "OWN-1",
            "pillar": "OWN",
            "file": SimpleUploadedFile("k.pdf", PDF),
        },
    )

    stored = assessment.files.get()
    client.force_login(evaluator)
    editor = client.get(
        reverse("procurement:assessment-edit", args=[assessment.pk]) + "?pillar=OWN"
    ).content.decode()
    assert stored.invitation is not None and stored.uploaded_by is None
    assert stored.sha256[:16] in editor and "k.pdf" in editor


def test_claims_are_scored_apart_and_differences_named(invited, assessment, evaluator):
    invitation, _token = invited
    services.save_claims(invitation, [ClaimData("OWN-1", 4), ClaimData("OWN-2", 3)])
    evaluated = services.record_answers(
        Assessment.objects.get(pk=assessment.pk),
        user=evaluator,
        version=1,
        answers=[AnswerData("OWN-1", level=2), AnswerData("OWN-2", level=3)],
    )

    assert evaluated.bidder_score is not None
    assert evaluated.bidder_score > evaluated.global_score_claimed
    assert evaluated.bidder_differs == ["OWN-1"]


def test_the_scorecard_shows_both_scores_and_where_they_differ(
    client, invited, assessment, evaluator
):
    invitation, _token = invited
    services.save_claims(invitation, [ClaimData("OWN-1", 4, justification="Yes.")])
    services.record_answers(
        Assessment.objects.get(pk=assessment.pk),
        user=evaluator,
        version=1,
        answers=[AnswerData("OWN-1", level=2)],
    )
    client.force_login(evaluator)

    page = client.get(assessment.get_absolute_url()).content.decode()

    assert "As claimed by the bidder, and as evaluated" in page
    assert re.search(r"OWN-1</a> \(4 → 2\)", page)


def test_the_api_invites_and_revokes(assessment, lead):
    client = client_for(lead)

    created = client.post(url("assessment-invitations", assessment.pk), {"days": 10})
    revoked = client.delete(url("invitation-detail", created.json()["id"]))

    token = created.json()["link"].rstrip("/").rsplit("/", 1)[-1]
    assert created.status_code == 201
    assert revoked.status_code == 204
    with pytest.raises(services.InvitationGone):
        services.invitation_for(token)


# the XLSX grid --------------------------------------------------------------


def filled_grid(assessment, edits: dict[str, object]) -> bytes:
    """The assessment's grid, with cells (such as {"G2": 3}) filled in."""
    book = load_workbook(io.BytesIO(grid.grid_xlsx(assessment)))
    sheet = book["Grid"]
    for cell, value in edits.items():
        sheet[cell] = value
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_the_grid_has_instructions_protected_cells_and_level_lists(assessment):
    book = load_workbook(io.BytesIO(grid.grid_xlsx(assessment, "fr")))

    sheet = book["Grid"]
    assert book.sheetnames[0] == "Instructions"
    assert sheet.protection.sheet
    assert not sheet["G2"].protection.locked and sheet["A2"].protection.locked
    assert sheet.data_validations.dataValidation
    assert sheet.max_row == 1 + assessment.catalogue.criteria.count()
    assert "Critère" in [c.value for c in sheet[1]]


def test_a_filled_grid_round_trips_into_claims(client, assessment, evaluator):
    content = filled_grid(
        assessment, {"G2": 3, "H2": "ISO 27001 scope.", "I2": "a.pdf"}
    )
    client.force_login(evaluator)

    response = client.post(
        reverse("procurement:assessment-grid-upload", args=[assessment.pk]),
        {"grid": SimpleUploadedFile("grid.xlsx", content)},
    )

    claim = Claim.objects.get(assessment=assessment, level=3)
    assert response.status_code == 302
    assert (claim.justification, claim.documents, claim.source) == (
        "ISO 27001 scope.",
        "a.pdf",
        "grid",
    )
    assert HistoryEntry.objects.filter(action="grid.imported").exists()


@pytest.mark.parametrize(
    ("edits", "cell", "message"),
    [
        ({"G2": 7}, "G2", "not between 0 and 4"),
        ({"G3": "=1+2"}, "G3", "Formulas are not accepted"),
        ({"A4": None}, "", "is missing"),
        ({"G2": "maybe"}, "G2", "is not a level"),
    ],
)
def test_a_bad_grid_lists_every_problem_and_imports_nothing(
    assessment, evaluator, edits, cell, message
):
    content = filled_grid(assessment, {"G5": 2, **edits})

    response = client_for(evaluator).post(
        url("assessment-grid", assessment.pk),
        {"grid": SimpleUploadedFile("grid.xlsx", content)},
        format="multipart",
    )

    errors = response.json()["errors"]
    assert response.status_code == 400
    assert any(e["cell"] == cell and message in e["detail"] for e in errors)
    assert not Claim.objects.exists()


def test_a_grid_of_another_offer_is_refused(assessment, evaluator, procurement):
    other = services.start_assessment(
        user=evaluator,
        procurement=procurement,
        offer=OfferFactory(provider__organisation=procurement.organisation),
    )
    content = filled_grid(other, {"G2": 3})

    with pytest.raises(grid.GridRefused) as refused:
        grid.read_grid(content, assessment)

    assert "another offer" in refused.value.problems[0].message


def test_the_api_downloads_the_grid(assessment, evaluator):
    response = client_for(evaluator).get(url("assessment-grid", assessment.pk))

    assert response.status_code == 200
    assert load_workbook(io.BytesIO(response.content))["Grid"]["A2"].value


def test_the_questionnaire_costs_the_same_queries_at_two_sizes(
    client, invited, assessment, django_assert_max_num_queries
):
    _invitation, token = invited
    with django_assert_max_num_queries(12):
        client.get(bid_url(token))
    services.save_claims(
        invited[0], [ClaimData(c.code, 2) for c in assessment.catalogue.criteria.all()]
    )

    with django_assert_max_num_queries(12):
        client.get(bid_url(token))


def test_the_grid_of_a_reference_case_names_the_provider(assessment):
    assessment.procurement = None
    assessment.organisation = None

    book = load_workbook(io.BytesIO(grid.grid_xlsx(assessment)))

    lines = [row[0].value for row in book["Instructions"].iter_rows()]
    assert f"Provider: {assessment.offer.provider}" in lines


def test_a_grid_post_without_a_file_lists_the_problem(assessment, evaluator):
    response = client_for(evaluator).post(
        url("assessment-grid", assessment.pk), {}, format="multipart"
    )

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "pointer": "/grid",
            "code": "invalid_grid",
            "detail": "Send the grid as a file.",
            "sheet": "",
            "cell": "",
        }
    ]


def test_an_invitation_without_an_address_answers_an_empty_string(assessment, lead):
    response = client_for(lead).post(
        url("assessment-invitations", assessment.pk), {}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["contact_email"] == ""
