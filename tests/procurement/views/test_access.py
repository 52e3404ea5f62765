"""Who may open which page: an anonymous user is sent to log in, another
organisation's objects are a 404, a viewer is refused, and a reference
case's offer is read-only. Each page family's own checks are in its file."""

import pytest
from django.urls import reverse

from procurement.models import Certification, Procurement
from tests.factories import OfferFactory, OrganisationFactory, ProcurementFactory
from tests.procurement.views.helpers import login, reference_case, url

pytestmark = pytest.mark.django_db


# the main pages -------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("procurement:home", []),
        ("procurement:provider-list", []),
        ("procurement:provider-create", []),
        ("procurement:provider-detail", [1]),
        ("procurement:procurement-list", []),
        ("procurement:procurement-create", []),
        ("procurement:procurement-detail", [1]),
        ("procurement:assessment-detail", [1]),
        ("procurement:assessment-edit", [1]),
        ("procurement:reference-case-list", []),
        ("procurement:reference-case-detail", ["cloudwatt"]),
    ],
)
def test_anonymous_user_is_redirected_to_login(client, name, args):
    url = reverse(name, args=args)

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


# offers, certifications, changing a procurement -----------------------------


def foreign_objects(catalogue):
    """An offer, its certification and a procurement of another organisation."""
    other = OrganisationFactory()
    offer = OfferFactory(provider__organisation=other)
    return {
        "offer": offer,
        "certification": Certification.objects.create(offer=offer, scheme="HDS"),
        "procurement": ProcurementFactory(organisation=other),
    }


PAGES = [
    ("get", "offer-edit", "offer"),
    ("post", "offer-edit", "offer"),
    ("get", "certification-create", "offer"),
    ("post", "certification-create", "offer"),
    ("post", "certification-remove", "certification"),
    ("get", "procurement-edit", "procurement"),
    ("post", "procurement-edit", "procurement"),
    ("post", "procurement-close", "procurement"),
    ("post", "procurement-open", "procurement"),
]


@pytest.mark.parametrize(("method", "name", "kind"), PAGES)
def test_anonymous_user_is_sent_to_log_in(client, catalogue, method, name, kind):
    target = foreign_objects(catalogue)[kind]
    path = url(name, target)

    response = getattr(client, method)(path)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={path}"


@pytest.mark.parametrize(("method", "name", "kind"), PAGES)
def test_another_organisations_objects_are_a_404(
    client, lead, catalogue, method, name, kind
):
    objects = foreign_objects(catalogue)
    login(client, lead)

    response = getattr(client, method)(url(name, objects[kind]), {"title": "Mine"})

    assert response.status_code == 404
    assert Certification.objects.filter(pk=objects["certification"].pk).exists()
    assert Procurement.objects.get(pk=objects["procurement"].pk).status == "open"


@pytest.mark.parametrize(("method", "name", "kind"), PAGES)
def test_a_viewer_is_refused(
    client, viewer, offer, certification, procurement, method, name, kind
):
    target = {"offer": offer, "certification": certification}.get(kind, procurement)
    login(client, viewer)

    response = getattr(client, method)(url(name, target), {"title": "Mine"})

    assert response.status_code == 403
    assert Certification.objects.filter(pk=certification.pk).exists()
    procurement.refresh_from_db()
    assert (procurement.title, procurement.status) == (
        "Hosting of the payroll system",
        "open",
    )


@pytest.mark.parametrize("name", ["offer-edit", "certification-create"])
def test_a_reference_cases_offer_is_read_only(client, lead, catalogue, name):
    offer = reference_case(catalogue).offer
    login(client, lead)

    page = client.get(url(name, offer))
    post = client.post(url(name, offer), {"name": "Mine", "scheme": "HDS"})

    assert (page.status_code, post.status_code) == (403, 403)
    assert not offer.certifications.exists()


def test_a_reference_cases_certification_cannot_be_removed(client, lead, catalogue):
    offer = reference_case(catalogue).offer
    certification = Certification.objects.create(offer=offer, scheme="HDS")
    login(client, lead)

    response = client.post(url("certification-remove", certification))

    assert response.status_code == 403
    assert offer.certifications.exists()
