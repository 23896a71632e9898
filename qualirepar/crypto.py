"""Encryption at rest of the shops' secrets (Fernet; several keys allow rotation)."""
from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app


class SecretUnreadable(RuntimeError):
    """The stored secret was encrypted with a key this deployment no longer has."""


def _fernet() -> MultiFernet:
    keys = [k.strip() for k in (current_app.config["ENCRYPTION_KEYS"] or "").split(",") if k.strip()]
    if not keys:
        raise RuntimeError("QUALIREPAR_ENCRYPTION_KEYS is not set")
    return MultiFernet([Fernet(k.encode()) for k in keys])


def encrypt(plaintext: str) -> str:
    return _fernet().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise SecretUnreadable("secret encrypted with an unknown key") from exc
