"""HTTP for the eco clients: timeouts on every call, retries only where safe, typed errors, and
every exchange handed to a recorder with personal data redacted."""
from __future__ import annotations

import datetime as dt
import json
import random
import time
from dataclasses import dataclass, field
from typing import Callable

import requests

from .errors import AuthError, ContractViolation, NotFound, TransientError

# Keys whose values are personal data or secrets: replaced before anything is recorded.
REDACTED_KEYS = {
    "username", "password", "idtoken", "accesstoken", "api_key", "authorization",
    "lastname", "firstname", "email", "phone", "phonenumber", "streetline1", "streetline2",
    "streetnumber", "address1", "address2", "address3", "filecontent",
}
MASK = "•••"


def _mask(key: str, value):
    if key.lower() == "filecontent" and isinstance(value, str):
        return value if value.startswith("<") else f"<{len(value)} caractères base64>"
    return MASK


def redact(value):
    """A copy of a JSON-like value with personal data and secrets masked."""
    if isinstance(value, dict):
        return {k: (_mask(k, v) if k.lower() in REDACTED_KEYS and v not in (None, "") else redact(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v) for v in value]
    return value


@dataclass
class Exchange:
    organism: str
    method: str
    path: str
    status: int | None
    duration_ms: int
    request_body: object = None
    response_body: object = None
    error: str | None = None
    attempt: int = 1


@dataclass
class RetryPolicy:
    attempts: int = 3
    backoff: float = 0.5  # seconds, doubled each attempt, with jitter
    max_backoff: float = 8.0

    def delay(self, attempt: int, retry_after: str | None = None) -> float:
        if retry_after and retry_after.isdigit():
            return min(float(retry_after), self.max_backoff)
        base = min(self.backoff * (2 ** (attempt - 1)), self.max_backoff)
        return base * (0.8 + 0.4 * random.random())


@dataclass
class Transport:
    """One organism's HTTP settings and the recorder of its exchanges."""

    organism: str
    base_url: str
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    recorder: Callable[[Exchange], None] | None = None
    session: requests.Session = field(default_factory=requests.Session)
    sleep: Callable[[float], None] = time.sleep
    # A 5xx that is a definite answer, not a passing fault (Ecologic's 500 "Invalid claim").
    permanent: Callable[[requests.Response], bool] | None = None

    def url(self, path: str) -> str:
        if path.startswith("http://") or path.startswith("https://"):
            return path
        return self.base_url.rstrip("/") + "/" + path.lstrip("/")

    def _record(self, exchange: Exchange) -> None:
        if self.recorder is not None:
            try:
                self.recorder(exchange)
            except Exception:  # noqa: BLE001 - recording must never break a call
                pass

    def send(self, method: str, path: str, *, safe: bool, headers: dict | None = None, params: dict | None = None,
             json_body=None, data: bytes | None = None, record_body=None) -> requests.Response:
        """Send one request; retry transient failures only if `safe` (repeating it changes nothing).

        Returns the response for any status below 500 other than 429 (the provider reads it);
        raises TransientError when the organism could not answer properly.
        """
        attempts = self.retry.attempts if safe else 1
        last: TransientError | None = None
        for attempt in range(1, attempts + 1):
            start = time.perf_counter()
            try:
                resp = self.session.request(method, self.url(path), headers=headers, params=params, json=json_body,
                                            data=data, timeout=(self.connect_timeout, self.read_timeout))
            except (requests.Timeout, requests.ConnectionError) as exc:
                kind = "délai dépassé" if isinstance(exc, requests.Timeout) else "connexion impossible"
                # Refused or unreachable before anything was sent: certainly not done. A read
                # timeout or a cut answer: maybe done (the caller looks before doing it again).
                not_sent = isinstance(exc, requests.ConnectTimeout) or (
                    isinstance(exc, requests.ConnectionError) and not isinstance(exc, requests.Timeout)
                    and "refused" in str(exc).lower())
                last = TransientError(f"{self.organism} : {kind}", processed=False if not_sent else None)
                self._record(Exchange(self.organism, method, path, None, _ms(start),
                                      redact(record_body if record_body is not None else json_body), None,
                                      f"{type(exc).__name__}: {exc}"[:300], attempt))
            else:
                self._record(Exchange(self.organism, method, path, resp.status_code, _ms(start),
                                      redact(record_body if record_body is not None else json_body),
                                      redact(_body(resp)), None, attempt))
                if (resp.status_code < 500 and resp.status_code != 429) or (self.permanent and self.permanent(resp)):
                    return resp
                # 429 and 503 refuse the request before doing it; another 5xx may come after it was done.
                last = TransientError(f"{self.organism} : erreur {resp.status_code}", resp.status_code,
                                      processed=False if resp.status_code in (429, 503) else None)
                if attempt < attempts:
                    self.sleep(self.retry.delay(attempt, resp.headers.get("Retry-After")))
                    continue
                raise last
            if attempt < attempts:
                self.sleep(self.retry.delay(attempt))
        raise last  # type: ignore[misc]


def _ms(start: float) -> int:
    return int((time.perf_counter() - start) * 1000)


def _body(resp: requests.Response):
    ctype = resp.headers.get("Content-Type", "")
    if "json" in ctype:
        try:
            return resp.json()
        except ValueError:
            return resp.text[:2000]
    return resp.text[:2000] if resp.text else None


def json_of(resp: requests.Response, organism: str):
    """The JSON body, or a ContractViolation that says what came instead."""
    try:
        return resp.json()
    except ValueError:
        raise ContractViolation(f"{organism} : réponse illisible (HTTP {resp.status_code}, pas du JSON)", resp.status_code) from None


def raise_for_common(resp: requests.Response, organism: str, message: str | None = None) -> None:
    if resp.status_code in (401, 403):
        raise AuthError(f"{organism} : identifiants refusés (HTTP {resp.status_code})", resp.status_code)
    if resp.status_code == 404:
        raise NotFound(message or f"{organism} : introuvable", 404)


def require(data, key: str, organism: str, kind=None):
    """data[key], checked; a missing key or a wrong type is a ContractViolation."""
    if not isinstance(data, dict) or key not in data:
        raise ContractViolation(f"{organism} : champ « {key} » absent de la réponse")
    value = data[key]
    if kind is not None and not isinstance(value, kind):
        raise ContractViolation(f"{organism} : champ « {key} » de type inattendu ({type(value).__name__})")
    return value


def parse_date(value, organism: str):
    """A yyyy-MM-dd (or ISO date-time) date of an answer; unreadable is a ContractViolation."""
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        raise ContractViolation(f"{organism} : date illisible « {value} »") from None


def dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)
