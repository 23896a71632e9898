"""The `HX-Trigger` events, one list: a mutation that changes another region of the page names its
event here, `rendering.render` / `redirect_to(..., trigger=...)` send it, and the region that shows
it listens with `hx-trigger="<event> from:body"`.

Only events that a region listens to are named here (no event without a listener).
"""
from __future__ import annotations

#: a control point was answered: the list of mandatory points still missing refreshes itself
#: (templates/checklists/run.html, #missing)
CHECKLIST_CHANGED = "checklist-changed"

EVENTS = frozenset({CHECKLIST_CHANGED})
