"""Signatures as Standard Webhooks has them, and the README's verification
snippet: it accepts what we sign and refuses a replay, a change, a stranger."""

import base64
import hashlib
import hmac
import re
import time
from pathlib import Path

import pytest

from webhooks import signing

README = Path(__file__).resolve().parents[2] / "README.md"
BODY = b'{"type": "assessment.approved"}'


@pytest.fixture(scope="module")
def readme_verify():
    """The ``verify`` function of the README's snippet, run as written."""
    text = README.read_text()
    snippet = re.search(
        r"<!-- webhook-verification[^>]*-->\n```python\n(.*?)```", text, re.S
    ).group(1)
    namespace = {}
    exec(snippet, namespace)  # noqa: S102 - our own README
    return namespace["verify"]


def signed(secret, *, timestamp=None, body=BODY, message_id="msg_1"):
    timestamp = int(time.time()) if timestamp is None else timestamp
    return signing.headers([secret], message_id, timestamp, body)


def test_a_secret_is_whsec_and_32_random_bytes():
    secret = signing.new_secret()

    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret.removeprefix("whsec_"))) == 32
    assert secret != signing.new_secret()


def test_the_signature_is_the_hmac_of_id_timestamp_and_body():
    key = b"k" * 32
    secret = "whsec_" + base64.b64encode(key).decode()
    expected = hmac.new(key, b"msg_1.1700000000." + BODY, hashlib.sha256).digest()

    signature = signing.signature(secret, "msg_1", 1700000000, BODY)

    assert signature == "v1," + base64.b64encode(expected).decode()


def test_the_readme_snippet_accepts_a_delivery_we_signed(readme_verify):
    secret = signing.new_secret()

    assert readme_verify(secret, signed(secret), BODY)


def test_the_readme_snippet_refuses_a_replay_after_five_minutes(readme_verify):
    secret = signing.new_secret()
    old = signed(secret, timestamp=int(time.time()) - 6 * 60)

    assert not readme_verify(secret, old, BODY)


def test_the_readme_snippet_refuses_a_changed_body(readme_verify):
    secret = signing.new_secret()

    assert not readme_verify(secret, signed(secret), BODY + b" ")


def test_the_readme_snippet_refuses_another_secret(readme_verify):
    assert not readme_verify(signing.new_secret(), signed(signing.new_secret()), BODY)


def test_a_retimestamped_signature_does_not_verify(readme_verify):
    secret = signing.new_secret()
    headers = signed(secret, timestamp=int(time.time()) - 60)
    headers["webhook-timestamp"] = str(int(time.time()))

    assert not readme_verify(secret, headers, BODY)


def test_during_a_rotation_either_secret_verifies(readme_verify):
    old, new = signing.new_secret(), signing.new_secret()
    headers = signing.headers([new, old], "msg_1", int(time.time()), BODY)

    assert readme_verify(old, headers, BODY)
    assert readme_verify(new, headers, BODY)


def test_verify_refuses_an_old_timestamp():
    secret = signing.new_secret()

    with pytest.raises(signing.InvalidSignature, match="timestamp"):
        signing.verify(secret, signed(secret, timestamp=1000), BODY, now=1000 + 301)


def test_verify_refuses_missing_headers():
    with pytest.raises(signing.InvalidSignature, match="missing"):
        signing.verify(signing.new_secret(), {}, BODY, now=time.time())
