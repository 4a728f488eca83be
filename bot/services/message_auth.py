"""Signing the metadata the app attaches to a person's message, so that actions can trust it.

The app is the only party that knows who is writing (the client's address, the channel). It
passes that to Rasa in the message metadata, and Rasa hands it to the actions inside the
tracker. Rasa's REST port is reachable on loopback by anything running on the machine, so an
action must not believe a ``client`` it finds in the metadata unless the app signed it:
:func:`sign_metadata` adds an HMAC over the sender id and the trusted fields with the secret
the app shares with the action endpoint; :func:`trusted_client` returns the client only when
that signature checks out.

Example::

    metadata = sign_metadata(secret, "web:abc", {"channel": "web", "client": "3f2a..."})
    trusted_client(secret, "web:abc", metadata)   # "3f2a..."
    trusted_client(secret, "web:other", metadata)  # None: signed for another conversation
"""
from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from typing import Any, Final

__all__ = ["SIGNED_FIELDS", "UNVERIFIED_CLIENT", "sign_metadata", "trusted_client"]

SIGNED_FIELDS: Final = ("channel", "client")
SIGNATURE_FIELD: Final = "signature"
# The one bucket shared by every caller whose client could not be verified: their failed
# verifications count together, so going around the app buys no extra attempts.
UNVERIFIED_CLIENT: Final = "unverified"


def _signature(secret: str, sender_id: str, metadata: Mapping[str, Any]) -> str:
    fields = "\x1f".join(f"{name}={metadata.get(name) or ''}" for name in SIGNED_FIELDS)
    message = f"{sender_id}\x1e{fields}".encode("utf-8")
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def sign_metadata(secret: str, sender_id: str, metadata: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``metadata`` with a signature over the sender id and :data:`SIGNED_FIELDS`."""
    if not secret:
        raise ValueError("sign_metadata needs a non-empty secret")
    signed = {k: v for k, v in metadata.items() if k != SIGNATURE_FIELD}
    signed[SIGNATURE_FIELD] = _signature(secret, sender_id, signed)
    return signed


def trusted_client(secret: str, sender_id: str, metadata: Mapping[str, Any] | None) -> str:
    """The signed ``client`` of ``metadata``, or :data:`UNVERIFIED_CLIENT` when it is missing,
    unsigned, signed for another sender, or altered."""
    if not secret or not isinstance(metadata, Mapping):
        return UNVERIFIED_CLIENT
    given = metadata.get(SIGNATURE_FIELD)
    client = metadata.get("client")
    if not isinstance(given, str) or not isinstance(client, str) or not client:
        return UNVERIFIED_CLIENT
    if not hmac.compare_digest(given, _signature(secret, sender_id, metadata)):
        return UNVERIFIED_CLIENT
    return client
