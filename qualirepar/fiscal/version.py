"""The software's version as the fiscal journal records it: a change is journaled (VERSION_CHANGE,
NF525-style journal of technical events) at the first append after the new version starts."""
from __future__ import annotations

import os

#: raised at every release that touches what is recorded, journaled, closed or archived
RELEASE = "2026.12.19"


def software_version() -> str:
    """The release, or what the deployment names (QUALIREPAR_VERSION, e.g. a commit of a build)."""
    return os.environ.get("QUALIREPAR_VERSION") or RELEASE
