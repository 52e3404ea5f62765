"""Implausible values are refused the same way by the pages and the API:
country codes that ISO 3166-1 never assigned, deadlines outside 2000 to ten
years ahead, facts dated in the future (``procurement/validators.py``)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from procurement.validators import (
    validate_country_code,
    validate_deadline,
    validate_not_in_the_future,
)
from tests.factories import ProviderFactory
from tests.procurement.api.helpers import client_for
from tests.procurement.api.helpers import url as api_url
from tests.procurement.views.helpers import login

TOMORROW = timezone.localdate() + datetime.timedelta(days=1)


@pytest.mark.parametrize("code", ["ZZ", "U1", "XX", "fr", "EU"])
def test_codes_iso_never_assigned_to_a_country_are_refused(code):
    with pytest.raises(ValidationError, match="ISO 3166-1"):
        validate_country_code(code)


@pytest.mark.parametrize("code", ["FR", "DE", "US", "IE", ""])
def test_assigned_country_codes_and_blank_pass(code):
    validate_country_code(code)


@pytest.mark.parametrize(
    "day", [datetime.date(1900, 1, 1), datetime.date(1999, 12, 31), "far"]
)
def test_deadlines_before_2000_or_beyond_ten_years_are_refused(day):
    if day == "far":
        day = timezone.localdate().replace(year=timezone.localdate().year + 11)
    with pytest.raises(ValidationError, match="between"):
        validate_deadline(day)


def test_a_deadline_next_year_passes():
    validate_deadline(timezone.localdate() + datetime.timedelta(days=365))


def test_a_fact_dated_tomorrow_is_refused_one_dated_today_passes():
    validate_not_in_the_future(timezone.localdate())
    with pytest.raises(ValidationError, match="future"):
        validate_not_in_the_future(TOMORROW)


@pytest.mark.django_db
def test_the_provider_form_refuses_zz(client, evaluator, organisation):
    login(client, evaluator)

    response = client.post(
        reverse("procurement:provider-create"),
        {"organisation": organisation.pk, "name": "Z", "country": "zz"},
    )

    assert response.status_code == 200
    assert "ISO 3166-1" in response.content.decode()


@pytest.mark.django_db
def test_the_api_refuses_zz_with_the_same_message(evaluator, organisation):
    response = client_for(evaluator).post(
        api_url("provider-list"), {"name": "Z", "country": "ZZ"}
    )

    assert response.status_code == 400
    assert "ISO 3166-1" in response.content.decode()


@pytest.mark.django_db
def test_the_new_offer_form_refuses_u1(client, lead, procurement):
    login(client, lead)

    response = client.post(
        reverse("procurement:procurement-add-offer", args=[procurement.pk]),
        {
            "action": "new",
            "new-provider_name": "Delta",
            "new-country": "U1",
            "new-offer_name": "Delta Storage",
            "new-service_model": "storage",
            "new-deployment_model": "public",
        },
    )

    assert response.status_code == 200
    assert "ISO 3166-1" in response.content.decode()


@pytest.mark.django_db
def test_the_procurement_form_refuses_a_deadline_in_1900(
    client, lead, organisation, catalogue
):
    login(client, lead)

    response = client.post(
        reverse("procurement:procurement-create"),
        {
            "organisation": organisation.pk,
            "title": "Archive",
            "reference": "A-1",
            "profile": catalogue.profiles.get(code="N2").pk,
            "deadline": "1900-01-01",
        },
    )

    assert response.status_code == 200
    assert "Enter a deadline between" in response.content.decode()


@pytest.mark.django_db
def test_the_api_refuses_a_deadline_in_9999(lead, organisation, catalogue):
    response = client_for(lead).post(
        api_url("procurement-list"),
        {"title": "Archive", "profile": "N2", "deadline": "9999-12-31"},
    )

    assert response.status_code == 400
    assert "Enter a deadline between" in response.content.decode()


@pytest.mark.django_db
def test_the_fact_form_refuses_2099(client, evaluator, organisation):
    provider = ProviderFactory(organisation=organisation)
    login(client, evaluator)

    response = client.post(
        reverse("procurement:fact-create", args=[provider.pk]),
        {
            "category": "ownership",
            "statement": "Bought.",
            "as_of": "2099-01-01",
            "date_precision": "day",
            "source_title": "Press",
            "confidence": "high",
        },
    )

    assert response.status_code == 200
    assert "in the future" in response.content.decode()
    assert not provider.facts.exists()


@pytest.mark.django_db
def test_the_api_refuses_a_fact_dated_2099(evaluator, organisation):
    provider = ProviderFactory(organisation=organisation)

    response = client_for(evaluator).post(
        api_url("provider-facts", provider.pk),
        {"statement": "Bought.", "as_of": "2099-01-01", "source_title": "Press"},
    )

    assert response.status_code == 400
    assert "in the future" in response.content.decode()
