"""What the API tests share: an authenticated client, an endpoint's
address, and assessed offers to measure queries at two sizes."""

from django.urls import reverse
from rest_framework.test import APIClient

from procurement import services
from procurement.models import Certification
from procurement.models.organisations import ROLES_CACHE
from tests.factories import OfferFactory, ProviderFactFactory


class FreshUserClient(APIClient):
    """An API client whose user starts each request with nothing cached on it.

    In production every request loads its user anew; ``force_authenticate``
    hands the same object to every request, so what one request cached on
    it (the user's organisations) would spare the next one a query.
    """

    def request(self, **kwargs):
        user = self.handler._force_user
        if user is not None:
            user.__dict__.pop(ROLES_CACHE, None)
        return super().request(**kwargs)


def client_for(user):
    client = FreshUserClient()
    client.force_authenticate(user)
    return client


def url(name, *args):
    return reverse(f"api:{name}", args=args)


def add_offers(procurement, user, count, catalogue):
    """Assess ``count`` more offers in the procurement, each with answers,
    cited facts and a certification."""
    for index in range(count):
        offer = OfferFactory(provider__organisation=procurement.organisation)
        Certification.objects.create(offer=offer, scheme="ISO 27001")
        fact = ProviderFactFactory(provider=offer.provider)
        assessment = services.start_assessment(
            user=user, procurement=procurement, offer=offer
        )
        answers = [
            services.AnswerData(
                c.code, (index + position) % 5, "documented", facts=[fact.pk]
            )
            for position, c in enumerate(catalogue.criteria.all()[:10])
        ]
        services.record_answers(assessment, user=user, version=1, answers=answers)


def assert_same_queries(request, grow, expected, django_assert_num_queries):
    with django_assert_num_queries(expected):
        first = request()
    grow()
    with django_assert_num_queries(expected):
        second = request()
    assert (first.status_code, second.status_code) == (200, 200)
    return first, second


def problem_errors(response) -> dict:
    """A refused request's errors by JSON pointer: ``{"/title": [detail]}``.

    Every error of the API is a problem (RFC 9457); this also checks the
    parts a client relies on.
    """
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == response.status_code
    found = {}
    for error in body.get("errors", []):
        found.setdefault(error["pointer"], []).append(error["detail"])
    return found


def problem_fields(response) -> list:
    """The top-level fields a refused request names, in order."""
    fields = []
    for pointer in problem_errors(response):
        field = pointer.split("/")[1] if pointer else ""
        if field not in fields:
            fields.append(field)
    return fields
