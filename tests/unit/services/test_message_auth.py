"""Signed message metadata: the actions trust a client only when the app signed it."""
from __future__ import annotations

import pytest

from bot.services.message_auth import UNVERIFIED_CLIENT, sign_metadata, trusted_client

SECRET = "shared"


def test_signed_client_is_trusted():
    metadata = sign_metadata(SECRET, "web:a", {"channel": "web", "client": "c1", "language": "pl"})
    assert trusted_client(SECRET, "web:a", metadata) == "c1"


@pytest.mark.parametrize("change", [
    lambda m: m | {"client": "c2"},            # another client claimed
    lambda m: m | {"channel": "telegram"},     # another channel claimed
    lambda m: {k: v for k, v in m.items() if k != "signature"},
    lambda m: m | {"signature": "0" * 64},
    lambda m: m | {"signature": None},
])
def test_altered_or_unsigned_metadata_is_unverified(change):
    metadata = sign_metadata(SECRET, "web:a", {"channel": "web", "client": "c1"})
    assert trusted_client(SECRET, "web:a", change(metadata)) == UNVERIFIED_CLIENT


def test_signature_is_bound_to_the_conversation_and_the_secret():
    metadata = sign_metadata(SECRET, "web:a", {"channel": "web", "client": "c1"})
    assert trusted_client(SECRET, "web:b", metadata) == UNVERIFIED_CLIENT
    assert trusted_client("other", "web:a", metadata) == UNVERIFIED_CLIENT
    assert trusted_client("", "web:a", metadata) == UNVERIFIED_CLIENT
    assert trusted_client(SECRET, "web:a", None) == UNVERIFIED_CLIENT


def test_signing_needs_a_secret():
    with pytest.raises(ValueError):
        sign_metadata("", "web:a", {"client": "c1"})
