"""The PA sandbox fixtures for the e-invoicing tests."""
from .pa_fixtures import _pa_server, pa_sandbox  # noqa: F401
