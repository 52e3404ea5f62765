"""The record on the pages: merged saves, the conflict choice, the history, the
workflow pages, the procurement page's provisional ranking and withdrawals."""

import html as html_module
import re

import pytest
from django.urls import reverse

from procurement import services
from procurement.models import Assessment, HistoryEntry, Membership, Procurement
from tests.conftest import member
from tests.procurement.views.helpers import answers_at, login

pytestmark = pytest.mark.django_db


def edit_url(assessment, pillar):
    url = reverse("procurement:assessment-edit", args=[assessment.pk])
    return f"{url}?pillar={pillar}"


def form_of(page: str) -> dict[str, str]:
    """The values a browser would post back from the editor, untouched."""
    html = page
    data: dict[str, str] = {}
    for name, value in re.findall(
        r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html
    ):
        data[name] = value
    for name, value in re.findall(
        r'<input type="radio" name="([^"]+-answer)" value="([^"]*)"[^>]*checked', html
    ):
        data[name] = value
    for name, body in re.findall(
        r'<select name="([^"]+)"[^>]*>(.*?)</select>', html, re.S
    ):
        chosen = re.search(r'<option value="([^"]*)" selected', body)
        data[name] = chosen.group(1) if chosen else ""
    for name, text in re.findall(
        r'<textarea name="([^"]+)"[^>]*>\n?(.*?)</textarea>', html, re.S
    ):
        data[name] = html_module.unescape(text)
    for name, value in re.findall(
        r'<input type="text" name="([^"]+)" value="([^"]*)"', html
    ):
        data[name] = html_module.unescape(value)
    return data


def open_editor(client, user, assessment, pillar):
    login(client, user)
    return form_of(client.get(edit_url(assessment, pillar)).content.decode())


@pytest.fixture
def second_evaluator(organisation):
    return member(organisation, Membership.Role.EVALUATOR)


def test_two_browsers_editing_different_criteria_of_one_pillar_both_land(
    client, evaluator, second_evaluator, draft
):
    mine = open_editor(client, evaluator, draft, "DAT")
    theirs = open_editor(client, second_evaluator, draft, "DAT")

    mine["DAT-1-justification"] = "A's change to DAT-1."
    login(client, evaluator).post(edit_url(draft, "DAT"), mine)
    theirs["DAT-2-answer"] = "3"
    theirs["DAT-2-evidence"] = "declared"
    response = login(client, second_evaluator).post(edit_url(draft, "DAT"), theirs)

    assert response.status_code == 302
    answers = {a.criterion.code: a for a in draft.answers.select_related("criterion")}
    assert answers["DAT-1"].justification == "A's change to DAT-1."
    assert answers["DAT-2"].level == 3


def test_saving_again_after_a_conflict_keeps_a_colleagues_other_criteria(
    client, evaluator, second_evaluator, draft
):
    mine = open_editor(client, evaluator, draft, "DAT")
    theirs = open_editor(client, second_evaluator, draft, "DAT")
    mine["DAT-1-justification"] = "A's text."
    mine["DAT-2-answer"] = "1"
    mine["DAT-2-evidence"] = "declared"
    login(client, evaluator).post(edit_url(draft, "DAT"), mine)

    theirs["DAT-2-answer"] = "4"

    theirs["DAT-2-evidence"] = "declared"
    conflict = login(client, second_evaluator).post(edit_url(draft, "DAT"), theirs)
    again = form_of(conflict.content.decode())
    again["DAT-2-resolve"] = "mine"
    saved = client.post(edit_url(draft, "DAT"), again)

    assert conflict.status_code == 409
    assert "A colleague changed DAT-2 since you opened it" in conflict.content.decode()
    assert saved.status_code == 302
    answers = {a.criterion.code: a for a in draft.answers.select_related("criterion")}
    assert answers["DAT-1"].justification == "A's text."
    assert answers["DAT-2"].level == 4


def test_choosing_theirs_keeps_the_stored_answer(
    client, evaluator, second_evaluator, draft
):
    mine = open_editor(client, evaluator, draft, "DAT")
    theirs = open_editor(client, second_evaluator, draft, "DAT")
    mine["DAT-2-answer"] = "1"
    mine["DAT-2-evidence"] = "declared"
    login(client, evaluator).post(edit_url(draft, "DAT"), mine)
    theirs["DAT-2-answer"] = "4"
    theirs["DAT-2-evidence"] = "declared"
    conflict = login(client, second_evaluator).post(edit_url(draft, "DAT"), theirs)

    again = form_of(conflict.content.decode())
    again["DAT-2-resolve"] = "theirs"
    client.post(edit_url(draft, "DAT"), again)

    assert draft.answers.get(criterion__code="DAT-2").level == 1


def test_a_conflict_without_a_choice_asks_for_one(
    client, evaluator, second_evaluator, draft
):
    mine = open_editor(client, evaluator, draft, "DAT")
    theirs = open_editor(client, second_evaluator, draft, "DAT")
    mine["DAT-2-answer"] = "1"
    mine["DAT-2-evidence"] = "declared"
    login(client, evaluator).post(edit_url(draft, "DAT"), mine)
    theirs["DAT-2-answer"] = "4"
    theirs["DAT-2-evidence"] = "declared"
    conflict = login(client, second_evaluator).post(edit_url(draft, "DAT"), theirs)

    response = client.post(edit_url(draft, "DAT"), form_of(conflict.content.decode()))

    assert "Choose your version or the one stored by a colleague." in (
        response.content.decode()
    )
    assert draft.answers.get(criterion__code="DAT-2").level == 1


def test_two_people_saving_different_pillars_get_no_conflict(
    client, evaluator, second_evaluator, draft
):
    own = open_editor(client, evaluator, draft, "OWN")
    jur = open_editor(client, second_evaluator, draft, "JUR")
    own["OWN-1-answer"] = "2"
    own["OWN-1-evidence"] = "declared"
    jur["JUR-1-answer"] = "3"
    jur["JUR-1-evidence"] = "declared"

    first = login(client, evaluator).post(edit_url(draft, "OWN"), own)
    second = login(client, second_evaluator).post(edit_url(draft, "JUR"), jur)

    assert (first.status_code, second.status_code) == (302, 302)


def test_the_history_of_one_answer_shows_every_change_with_its_author(
    client, evaluator, lead, draft
):
    services.record_answers(
        draft, user=evaluator, version=1, answers=[services.AnswerData("JUR-1", 2)]
    )
    services.record_answers(
        draft, user=lead, version=2, answers=[services.AnswerData("JUR-1", 3)]
    )
    services.record_answers(
        draft, user=lead, version=3, answers=[services.AnswerData("OWN-1", 1)]
    )
    url = reverse("procurement:assessment-history", args=[draft.pk])

    page = login(client, evaluator).get(url, {"criterion": "JUR-1"}).content.decode()

    assert page.count("Answer changed") == 2
    assert "OWN-1 ·" not in page
    for user in (evaluator, lead):
        assert user.username in page


def test_the_history_filters_by_person(client, evaluator, lead, draft):
    services.record_answers(
        draft, user=evaluator, version=1, answers=[services.AnswerData("JUR-1", 2)]
    )
    services.record_answers(
        draft, user=lead, version=2, answers=[services.AnswerData("OWN-1", 3)]
    )
    url = reverse("procurement:assessment-history", args=[draft.pk])

    page = login(client, lead).get(url, {"user": lead.username}).content.decode()

    assert "OWN-1" in page and "JUR-1 ·" not in page


def test_another_organisations_history_is_a_404(client, draft, catalogue):
    from tests.factories import MembershipFactory

    outsider = MembershipFactory(role="lead").user
    url = reverse("procurement:assessment-history", args=[draft.pk])

    assert login(client, outsider).get(url).status_code == 404


def test_the_procurement_history_lists_its_changes(client, lead, draft):
    services.close_procurement(draft.procurement, user=lead, reason="Deadline.")
    url = reverse("procurement:procurement-history", args=[draft.procurement.pk])

    page = login(client, lead).get(url).content.decode()

    assert "Procurement closed" in page and "Deadline." in page


def test_approving_an_incomplete_assessment_asks_for_a_reason(
    client, evaluator, lead, draft
):
    services.submit_assessment(draft, user=evaluator)
    url = reverse("procurement:assessment-approve", args=[draft.pk])

    page = login(client, lead).post(url, {"version": 2}).content.decode()

    draft.refresh_from_db()
    assert draft.status == "submitted"
    assert "say why this assessment can be approved" in page


def test_the_submitter_is_refused_approval_with_a_message(
    client, lead, draft, catalogue
):
    services.record_answers(
        draft, user=lead, version=1, answers=answers_at(catalogue, 3)
    )
    services.submit_assessment(draft, user=lead)
    url = reverse("procurement:assessment-approve", args=[draft.pk])

    response = login(client, lead).post(url, {"version": 3}, follow=True)

    draft.refresh_from_db()
    assert draft.status == "submitted"
    assert "another lead must approve it" in response.content.decode()


def test_a_lead_withdraws_an_offer_with_a_reason(client, lead, draft):
    url = reverse("procurement:assessment-withdraw", args=[draft.pk])

    login(client, lead).post(url, {"version": 1, "reason": "Bidder withdrew."})
    page = client.get(draft.procurement.get_absolute_url()).content.decode()

    draft.refresh_from_db()
    assert draft.status == Assessment.Status.WITHDRAWN
    assert "Withdrawn" in page and "Bidder withdrew." in page


def test_the_procurement_page_says_the_ranking_is_provisional_and_marks_drafts(
    client, lead, draft
):
    page = login(client, lead).get(draft.procurement.get_absolute_url())

    content = page.content.decode()
    assert "data-provisional" in content
    assert 'status--draft">Draft<' in content


def test_a_lead_deletes_a_draft_procurement_and_its_history_stays(
    client, lead, organisation, catalogue
):
    procurement = services.create_procurement(
        user=lead,
        organisation=organisation,
        title="Draft to delete",
        profile=catalogue.profiles.get(code="N2"),
        status="draft",
    )
    url = reverse("procurement:procurement-delete", args=[procurement.pk])

    response = login(client, lead).post(url, {"reason": "Duplicate."})

    assert response.status_code == 302
    assert not Procurement.objects.filter(pk=procurement.pk).exists()
    assert HistoryEntry.objects.filter(procurement_id=procurement.pk).count() == 2


def test_a_lead_turns_four_eyes_off_with_a_reason(client, lead, organisation):
    url = reverse("procurement:organisation-settings", args=[organisation.pk])

    refused = login(client, lead).post(url, {})
    done = client.post(url, {"reason": "We are one person."})

    organisation.refresh_from_db()
    assert "Say why one person may submit and approve alone." in (
        refused.content.decode()
    )
    assert done.status_code == 302
    assert organisation.four_eyes is False


def test_an_evaluator_cannot_change_the_four_eyes_rule(client, evaluator, organisation):
    url = reverse("procurement:organisation-settings", args=[organisation.pk])

    assert login(client, evaluator).post(url, {"reason": "x"}).status_code == 403
