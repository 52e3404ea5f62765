"""The pages in French read right: one product name, counts that agree,
pillar codes spelled out, the score "as claimed" not confused with the
"declared" evidence type (issue 18)."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from tests.procurement.views.helpers import login, scored_assessment

pytestmark = pytest.mark.django_db

FRENCH = {"HTTP_ACCEPT_LANGUAGE": "fr"}


def test_header_and_title_name_the_product_alike(client, lead):
    login(client, lead)

    content = client.get(reverse("procurement:home"), **FRENCH).content.decode()

    assert "· Notation Cloud de confiance</title>" in content
    assert (
        '<span class="brand__name"><span class="brand__product">Notation</span> '
        "Cloud de confiance</span>" in content
    )


def test_the_eligible_count_agrees_with_its_own_number(client, lead, procurement):
    scored_assessment(procurement, lead, 4)
    scored_assessment(procurement, lead, 0)
    login(client, lead)

    content = client.get(procurement.get_absolute_url(), **FRENCH).content.decode()

    assert "1 éligible sur 2 offres" in content
    assert "éligible(s)" not in content


def test_pillar_tabs_spell_out_their_codes(client, evaluator, draft, catalogue):
    login(client, evaluator)
    url = reverse("procurement:assessment-edit", args=[draft.pk])

    content = client.get(url, **FRENCH).content.decode()

    for pillar in catalogue.pillars.all():
        name = escape(pillar.name_fr)
        assert (
            f'<abbr class="pillar-tab__code" title="{name}">'
            f'{pillar.code}</abbr><span class="visually-hidden"> {name}'
        ) in content


def test_the_claimed_score_and_the_declared_evidence_have_distinct_words(
    client, evaluator, draft
):
    login(client, evaluator)
    url = reverse("procurement:assessment-edit", args=[draft.pk])

    content = client.get(url, **FRENCH).content.decode()

    assert '<span class="score-strip__label">Annoncé</span>' in content
    assert '<option value="declared">Déclaré</option>' in content
