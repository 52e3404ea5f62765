"""Where webhooks may go: HTTPS to public addresses, never inside unless
allowed, never to link-local addresses (server-side request forgery)."""

import socket

import pytest
from django.core.exceptions import ValidationError

from webhooks import addresses

PUBLIC = "93.184.215.14"


@pytest.fixture
def resolves_to(monkeypatch):
    """Make every host name resolve to the given addresses (the DNS edge)."""

    def set_addresses(*found):
        def getaddrinfo(host, port, *args, **kwargs):
            family = socket.AF_INET6
            return [
                (
                    family if ":" in a else socket.AF_INET,
                    socket.SOCK_STREAM,
                    6,
                    "",
                    (a, port),
                )
                for a in found
            ]

        monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)

    return set_addresses


@pytest.fixture(autouse=True)
def _production_rules(settings):
    settings.WEBHOOKS_ALLOW_LOCALHOST = False
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = False


def refusal(url):
    with pytest.raises(ValidationError) as caught:
        addresses.check_url(url)
    return caught.value


def test_https_to_a_public_address_is_allowed():
    target = addresses.target(f"https://{PUBLIC}:8443/hooks?source=scorecard")

    assert (target.scheme, target.host, target.port, target.path, target.address) == (
        "https",
        PUBLIC,
        8443,
        "/hooks?source=scorecard",
        PUBLIC,
    )


def test_plain_http_is_refused():
    assert refusal(f"http://{PUBLIC}/hooks").code == "https_required"


def test_plain_http_to_localhost_is_refused_in_production():
    assert refusal("http://127.0.0.1:8000/hooks").code == "https_required"


def test_plain_http_to_localhost_is_allowed_when_the_setting_says_so(settings):
    settings.WEBHOOKS_ALLOW_LOCALHOST = True

    assert addresses.target("http://127.0.0.1:8000/hooks").address == "127.0.0.1"


def test_https_to_this_server_itself_is_refused():
    error = refusal("https://127.0.0.1/hooks")

    assert error.code == "address_not_allowed"
    assert "loopback" in error.messages[0]


@pytest.mark.parametrize(
    "host", ["10.0.0.5", "172.16.3.4", "192.168.1.10", "[fd00::1]", "100.64.0.1"]
)
def test_a_private_address_is_refused_with_the_setting_that_allows_it(host):
    error = refusal(f"https://{host}/hooks")

    assert error.code == "address_not_allowed"
    assert "WEBHOOKS_ALLOW_PRIVATE_NETWORKS" in error.messages[0]


def test_a_private_address_is_allowed_when_the_setting_says_so(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = True

    assert addresses.target("https://10.0.0.5/hooks").address == "10.0.0.5"


@pytest.mark.parametrize("host", ["169.254.169.254", "[fe80::1]"])
def test_link_local_addresses_are_refused_even_on_a_private_network(settings, host):
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = True

    assert "link-local" in refusal(f"https://{host}/latest/meta-data/").messages[0]


def test_an_ipv4_mapped_ipv6_address_is_judged_as_ipv4():
    assert refusal("https://[::ffff:10.0.0.5]/hooks").code == "address_not_allowed"


def test_a_name_resolving_to_a_private_address_is_refused(resolves_to):
    resolves_to("10.1.2.3")

    error = refusal("https://hooks.example.org/in")

    assert error.messages == [
        "hooks.example.org resolves to 10.1.2.3, an address of a private network; "
        "an administrator may allow those (WEBHOOKS_ALLOW_PRIVATE_NETWORKS)."
    ]


def test_a_name_with_one_private_address_among_public_ones_is_refused(resolves_to):
    resolves_to(PUBLIC, "192.168.0.7")

    assert refusal("https://hooks.example.org/in").code == "address_not_allowed"


def test_a_name_resolving_to_public_addresses_is_allowed(resolves_to):
    resolves_to(PUBLIC)

    assert addresses.target("https://hooks.example.org/in").address == PUBLIC


def test_a_name_that_does_not_resolve_is_refused(monkeypatch):
    def fail(*args, **kwargs):
        raise socket.gaierror("Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", fail)

    assert refusal("https://nowhere.invalid/").code == "unresolvable_host"


def test_credentials_in_the_url_are_refused():
    assert refusal(f"https://user:pw@{PUBLIC}/").code == "credentials_in_url"


@pytest.mark.parametrize("url", ["ftp://example.org/", "hooks", "https://", ""])
def test_a_url_that_is_not_https_with_a_host_is_refused(url):
    assert refusal(url).code in ("invalid_url", "https_required")


def test_an_impossible_port_is_refused():
    assert refusal(f"https://{PUBLIC}:99999/").code == "invalid_url"
