"""Login limits that slow an attacker without locking the real user out (issue 17).

The rule before: twelve wrong passwords for an e-mail, from any address, locked that account even for
its owner at the counter; and behind a reverse proxy every user shared the proxy's address. Now, as
the OWASP Authentication Cheat Sheet («Protect against automated attacks», account lockout) and its
«Slow Down Online Guessing Attacks with Device Cookies» advise:

- **Per account, from unknown devices only**: after ACCOUNT_FREE_FAILURES failures within WINDOW, each
  further attempt from a device that never logged into this account must wait a delay that doubles
  up to ACCOUNT_MAX_DELAY (never a lock); the password is not even checked before the delay is over.
- **Known devices go through**: a successful login leaves a signed cookie naming the account on that
  device; attempts carrying it are counted on their own (DEVICE_FAILURES wrong passwords with it, and
  the cookie is no longer honoured), so an attacker elsewhere does not slow the counter PC.
- **Per address**: Flask-Limiter's LOGIN_RATE_LIMIT on the client address, which is the proxy's
  X-Forwarded-For only when TRUSTED_PROXY_COUNT says how many proxies to trust (`qualirepar.proxies`).
State is in Redis (the app's real server), keyed by a hash of the e-mail, with the window's TTL."""
from __future__ import annotations

import hashlib
import secrets
import time

from flask import current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from ..redis_conn import get_redis

WINDOW = 15 * 60  # seconds a failure counts
ACCOUNT_FREE_FAILURES = 5
ACCOUNT_MAX_DELAY = 300  # seconds: the slowest an unknown device is made to go (a dozen tries an hour)
DEVICE_FAILURES = 10
DEVICE_COOKIE = "qr_device"
DEVICE_COOKIE_AGE = 365 * 24 * 3600
DEVICE_ACCOUNTS = 5  # accounts one device remembers (a shared counter PC)


def _account(email: str) -> str:
    return hashlib.sha256((email or "").strip().lower().encode()).hexdigest()[:32]


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="login-device")


def _device_cookie() -> dict:
    raw = request.cookies.get(DEVICE_COOKIE)
    if not raw:
        return {}
    try:
        value = _serializer().loads(raw, max_age=DEVICE_COOKIE_AGE)
    except BadSignature:
        return {}
    return value if isinstance(value, dict) and isinstance(value.get("accounts"), list) else {}


def _failures(key: str, now: float) -> list[float]:
    conn = get_redis()
    conn.zremrangebyscore(key, 0, now - WINDOW)
    return [score for _member, score in conn.zrange(key, 0, -1, withscores=True)]


def _add_failure(key: str, now: float) -> None:
    conn = get_redis()
    conn.zadd(key, {f"{now}:{secrets.token_hex(4)}": now})
    conn.expire(key, WINDOW)


def known_device(email: str) -> str | None:
    """This device's id when it has logged into `email` before and is still honoured, else None."""
    cookie = _device_cookie()
    if _account(email) not in cookie.get("accounts", []):
        return None
    device = str(cookie.get("device", ""))
    if not device or len(_failures(f"qr:login:dev:{device}", time.time())) >= DEVICE_FAILURES:
        return None
    return device


def wait_seconds(email: str) -> int:
    """How long this attempt must wait before the password is checked (0: go ahead)."""
    if known_device(email):
        return 0
    now = time.time()
    failures = _failures(f"qr:login:acct:{_account(email)}", now)
    if len(failures) < ACCOUNT_FREE_FAILURES:
        return 0
    delay = min(ACCOUNT_MAX_DELAY, 2 ** (len(failures) - ACCOUNT_FREE_FAILURES + 1))
    return max(0, int(max(failures) + delay - now + 0.999))


def failed(email: str) -> None:
    """A wrong password (or an unknown e-mail: the same answer, the same count)."""
    now = time.time()
    device = known_device(email)
    _add_failure(f"qr:login:dev:{device}" if device else f"qr:login:acct:{_account(email)}", now)


def remember_device(response, email: str):
    """After a good login: this device is known for `email` from now on."""
    cookie = _device_cookie()
    accounts = [a for a in cookie.get("accounts", []) if a != _account(email)]
    value = {"device": cookie.get("device") or secrets.token_hex(16), "accounts": [_account(email), *accounts][:DEVICE_ACCOUNTS]}
    response.set_cookie(DEVICE_COOKIE, _serializer().dumps(value), max_age=DEVICE_COOKIE_AGE, httponly=True,
                        secure=current_app.config.get("SESSION_COOKIE_SECURE", False), samesite="Lax")
    return response

