"""Logging in and out, and the language switch."""

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import ProcurementFactory
from tests.procurement.views.helpers import login, scored_assessment

pytestmark = pytest.mark.django_db


# log in and out -------------------------------------------------------------


def test_login_page_has_labelled_fields_and_a_language_switch(client):
    response = client.get(reverse("login"))

    content = response.content.decode()
    assert response.status_code == 200
    assert '<label for="id_username">' in content
    assert '<label for="id_password">' in content
    assert f'action="{reverse("set_language")}"' in content


def test_logging_in_leads_home(client, lead):
    response = client.post(
        reverse("login"), {"username": lead.username, "password": "secret-password"}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("procurement:home")


def test_wrong_password_is_refused_with_a_message(client, lead):
    response = client.post(
        reverse("login"), {"username": lead.username, "password": "wrong"}
    )

    assert response.status_code == 200
    assert b"Please enter a correct username and password" in response.content


def test_logout_is_a_post_form(client, lead):
    login(client, lead)

    page = client.get(reverse("procurement:home")).content.decode()
    response = client.post(reverse("logout"))

    assert f'<form action="{reverse("logout")}" method="post"' in page
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


# The lockout and slow-down: tests/accounts/test_login_protection.py.


# language -------------------------------------------------------------------


def test_language_switch_persists_in_a_cookie(client, lead):
    login(client, lead)

    response = client.post(
        reverse("set_language"), {"language": "fr", "next": reverse("procurement:home")}
    )
    page = client.get(reverse("procurement:home"))

    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr"
    assert '<html lang="fr">' in page.content.decode()
    assert "Accueil" in page.content.decode()
    assert "Marchés" in page.content.decode()


def test_catalogue_texts_follow_the_language(client, lead, catalogue):
    procurement = ProcurementFactory(organisation=lead.memberships.get().organisation)
    assessment = scored_assessment(procurement, lead, 2)
    login(client, lead)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"

    content = client.get(
        reverse("procurement:assessment-edit", args=[assessment.pk])
    ).content.decode()

    own1 = catalogue.criteria.get(code="OWN-1")
    assert own1.name_fr in content
    assert own1.question_fr.replace("'", "&#x27;") in content
    assert "Inconnu" in content
