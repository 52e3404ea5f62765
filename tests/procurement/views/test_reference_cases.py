"""The reference cases' pages: the list, and one case's story beside its
scorecard."""

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import ProviderFactFactory
from tests.procurement.views.helpers import login, reference_case

pytestmark = pytest.mark.django_db


def test_reference_case_list_shows_every_case_with_its_score(client, viewer, catalogue):
    cloudwatt = reference_case(catalogue, "Cloudwatt")
    numergy = reference_case(catalogue, "Numergy", level=2)
    login(client, viewer)

    content = client.get(reverse("procurement:reference-case-list")).content.decode()

    for case in (cloudwatt, numergy):
        assert case.offer.provider.name in content
        assert f"{case.global_score}" in content


def test_reference_case_tells_its_story_next_to_its_scorecard(
    client, viewer, catalogue
):
    case = reference_case(catalogue)
    login(client, viewer)

    response = client.get(
        reverse("procurement:reference-case-detail", args=["cloudwatt"])
    )

    content = response.content.decode()
    assert [fact.statement for fact, _codes in response.context["before"]] == [
        "Orange, the State and Thales found the company."
    ]
    assert [fact.statement for fact, _codes in response.context["after"]] == [
        "The platform is switched off."
    ]
    assert "What a buyer could know on 31 March 2014" in content
    assert (
        '<a href="https://example.org/shutdown" rel="noopener noreferrer">' in content
    )
    assert "To verify" in content
    assert "Only one source." in content
    assert "February 2020" in content
    assert f"{case.global_score}" in content
    assert "Ownership is not enough." in content


def test_reference_case_reads_its_french_texts(client, viewer, catalogue):
    reference_case(catalogue)
    login(client, viewer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"

    content = client.get(
        reverse("procurement:reference-case-detail", args=["cloudwatt"])
    ).content.decode()

    assert "Orange, l&#x27;État et Thales fondent la société." in content
    assert "La propriété ne suffit pas." in content


def test_unknown_reference_case_is_a_404(client, viewer):
    login(client, viewer)

    response = client.get(reverse("procurement:reference-case-detail", args=["nobody"]))

    assert response.status_code == 404


def test_reference_pages_render_in_constant_queries(
    client, viewer, catalogue, django_assert_max_num_queries
):
    case = reference_case(catalogue)
    login(client, viewer)
    detail = reverse("procurement:reference-case-detail", args=["cloudwatt"])
    listing = reverse("procurement:reference-case-list")

    # session, user, provider, assessment, catalogue with its method (11),
    # answers and their facts, facts, offers, certifications
    with django_assert_max_num_queries(20):
        client.get(detail)
    with django_assert_max_num_queries(3):
        client.get(listing)

    for _ in range(6):
        ProviderFactFactory(provider=case.offer.provider)
    reference_case(catalogue, "Numergy")
    with django_assert_max_num_queries(20):
        client.get(detail)
    with django_assert_max_num_queries(3):
        client.get(listing)
