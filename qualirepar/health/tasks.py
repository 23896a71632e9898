"""The health page's job."""
from __future__ import annotations


def ping() -> str:
    """A job that proves a worker takes work (health page button, tests)."""
    return "pong"
