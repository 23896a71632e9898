"""From the shop's setting (`EinvoiceSettings.pa_provider`) to a ready provider. The addresses of
the PAs live here and only here (the sandbox's in `PA_SANDBOX_URL`, default http://127.0.0.1:5002; the
outbox folder in `PA_OUTBOX_DIR`, default <instance>/pa_outbox)."""
from __future__ import annotations

import os
from pathlib import Path

from flask import current_app

from ..settings import OUTBOX, SANDBOX
from .base import PAProvider
from .outbox import OutboxProvider
from .sandbox import SandboxProvider

DEFAULT_SANDBOX_URL = "http://127.0.0.1:5002"


def outbox_root() -> Path:
    return Path(current_app.config.get("PA_OUTBOX_DIR") or os.environ.get("PA_OUTBOX_DIR") or Path(current_app.instance_path) / "pa_outbox")


def provider(name: str) -> PAProvider:
    """The provider called `name` (a key of settings.PA_PROVIDERS)."""
    if name == OUTBOX:
        return OutboxProvider(outbox_root())
    if name == SANDBOX:
        return SandboxProvider(current_app.config.get("PA_SANDBOX_URL") or os.environ.get("PA_SANDBOX_URL") or DEFAULT_SANDBOX_URL)
    raise KeyError(f"unknown PA provider {name!r}")
