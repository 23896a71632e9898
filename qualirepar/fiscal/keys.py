"""Each shop's Ed25519 key pair (`cryptography`): the public half printed on the archives and the
owner's page, so that anyone can check the signatures; the private half stored encrypted with the
deployment's keys (`crypto.encrypt`, as the eco-organism credentials)."""
from __future__ import annotations

import base64
from functools import lru_cache

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy.dialects import postgresql, sqlite

from .. import crypto
from ..core.clock import utcnow
from ..extensions import db
from .models import FiscalChain


def new_key_pair() -> tuple[str, str]:
    """(public PEM, encrypted private key) of a fresh Ed25519 pair."""
    private = Ed25519PrivateKey.generate()
    raw = private.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())
    public = private.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    return public.decode(), crypto.encrypt(base64.b64encode(raw).decode())


def chain_of(shop_id: int) -> FiscalChain:
    """The shop's chain head, created (with its key pair) on first use; a concurrent first use keeps one."""
    chain = _find(shop_id)
    if chain is None:
        public, private = new_key_pair()
        dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
        db.session.execute(dialect.insert(FiscalChain).values(
            shop_id=shop_id, last_seq=0, totals={}, public_key_pem=public, private_key_enc=private,
            created_at=utcnow()).on_conflict_do_nothing(index_elements=["shop_id"]))
        chain = _find(shop_id)
    return chain


def _find(shop_id: int) -> FiscalChain | None:
    return db.session.execute(db.select(FiscalChain).where(FiscalChain.shop_id == shop_id)).scalar_one_or_none()


def public_key_pem(shop_id: int) -> str:
    return chain_of(shop_id).public_key_pem


@lru_cache(maxsize=256)
def _private_key(token: str) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(base64.b64decode(crypto.decrypt(token)))


def sign(shop_id: int, data: bytes) -> bytes:
    return _private_key(chain_of(shop_id).private_key_enc).sign(data)


def sign_with(chain: FiscalChain, data: bytes) -> bytes:
    """Sign with the key of a chain head already loaded (the journal's append, no extra query)."""
    return _private_key(chain.private_key_enc).sign(data)


@lru_cache(maxsize=256)
def _public_key(public_pem: str) -> Ed25519PublicKey:
    key = serialization.load_pem_public_key(public_pem.encode())
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("not an Ed25519 public key")
    return key


def verify_signature(public_pem: str, data: bytes, signature: bytes) -> bool:
    try:
        _public_key(public_pem).verify(signature, data)
    except (InvalidSignature, ValueError):
        return False
    return True
