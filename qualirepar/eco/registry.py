"""From a shop's stored account to a ready client: provider, base URL, credentials, recorder.

The base URLs of each environment live here and only here.
"""
from __future__ import annotations

import json

from flask import current_app

from ..extensions import db
from ..redis_conn import get_redis
from .base import EcoClient
from .ecologic import EcologicClient
from .ecosystem import EcosystemClient
from .errors import AuthError
from .http import Exchange, Transport
from .models import EcoAccount, EcoExchange

BASE_URLS = {
    ("ecosystem", "preprod"): "https://ppr-api-reparateurs.ecosystem.eco",
    ("ecosystem", "production"): "https://prod-api-reparateurs.ecosystem.eco",
    ("ecologic", "preprod"): "https://preprod-apiecologic.e-reparateur.eco/api/v1/ecosupport/",
    ("ecologic", "production"): "https://apiecologic.e-reparateur.eco/api/v1/ecosupport/",
}
SANDBOX_PATHS = {"ecosystem": "/ecosystem", "ecologic": "/ecologic/api/v1/ecosupport/"}
PROVIDERS: dict[str, type[EcoClient]] = {"ecosystem": EcosystemClient, "ecologic": EcologicClient}


def provider(organism: str) -> type[EcoClient]:
    """The provider class of an organism: what sets it apart (ids, required fields, rules)."""
    return PROVIDERS[organism]


def base_url(account: EcoAccount) -> str:
    if account.base_url and current_app.config["ECO_ALLOW_CUSTOM_URL"]:
        return account.base_url
    if account.environment == "sandbox":
        return current_app.config["ECO_SANDBOX_URL"].rstrip("/") + SANDBOX_PATHS[account.organism]
    return BASE_URLS[(account.organism, account.environment)]


class RedisTokenStore:
    """Bearer tokens shared by every process of the deployment, until they expire."""

    def __init__(self, conn):
        self.conn = conn

    def get(self, key: str) -> str | None:
        value = self.conn.get(key)
        return value.decode() if value else None

    def set(self, key: str, token: str, ttl: int) -> None:
        self.conn.set(key, token, ex=ttl)

    def delete(self, key: str) -> None:
        self.conn.delete(key)


class ExchangeLog:
    """Collects a client's exchanges; `save` writes them, so that a rolled-back transaction keeps them."""

    def __init__(self, shop_id: int):
        self.shop_id = shop_id
        self.items: list[Exchange] = []

    def __call__(self, exchange: Exchange) -> None:
        self.items.append(exchange)

    def save(self, claim_id: int | None = None) -> None:
        if not self.items:
            return
        rows = [{"shop_id": self.shop_id, "organism": e.organism, "claim_id": claim_id, "method": e.method,
                 "path": e.path[:300], "status": e.status, "duration_ms": e.duration_ms, "attempt": e.attempt,
                 "request_body": e.request_body, "response_body": _trim(e.response_body), "error": e.error}
                for e in self.items]
        db.session.execute(EcoExchange.__table__.insert(), rows)
        self.items.clear()


def _trim(body, limit: int = 20000):
    text = json.dumps(body, ensure_ascii=False, default=str) if body is not None else ""
    return body if len(text) <= limit else text[:limit] + "…"


def transport_for(account: EcoAccount, recorder=None) -> Transport:
    cfg = current_app.config
    return Transport(account.organism, base_url(account), connect_timeout=cfg["ECO_CONNECT_TIMEOUT"],
                     read_timeout=cfg["ECO_READ_TIMEOUT"], recorder=recorder)


def client_for(account: EcoAccount, log: ExchangeLog | None = None) -> EcoClient:
    """The client of `account`'s organism, with its credentials decrypted."""
    secret = account.secret
    if not secret:
        raise AuthError(f"{account.organism_label} : aucun identifiant enregistré pour la boutique")
    transport = transport_for(account, log)
    if account.organism == "ecosystem":
        return EcosystemClient(transport, account.login or "", secret, RedisTokenStore(get_redis()))
    return EcologicClient(transport, secret)
