"""A refusal a user must read: the one base exception every feature's refusals derive from.

A view that calls a service lets it propagate; the app answers it in one place
(`rendering.answer_refusal`): a flash and back to the page, or for htmx the fragment with 422.
The message is for the user, in French.
"""
from __future__ import annotations


class Refusal(Exception):
    """Refused for a reason the user must read (the message, in French)."""

    #: where to send a plain form post back to when the view does not say (None: the referrer)
    endpoint: str | None = None
