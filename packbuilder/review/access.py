"""Invitation tokens: long and random, shown once in the link, stored as their sha256 only.

The maintainer's password is the web app's (``packbuilder.web.auth``: a scrypt hash).
"""
from __future__ import annotations

import hashlib
import secrets

TOKEN_BYTES = 32                     # secrets.token_urlsafe(32): 43 characters, 256 bits


def new_token() -> str:
    """Return a new random invitation token, for the link only (never stored)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    """Return what the store keeps of a token: its sha256, in hex."""
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()
