from flask import flash, jsonify, request
from flask_babel import gettext as _

from ..core.queue import enqueue
from ..permissions import allow
from ..rendering import redirect_to, render
from . import bp, checks


@bp.get("/")
@allow("owner")
def index():
    """Health of each part; the panel refreshes itself every 10 seconds."""
    results = checks.run_all()
    if request.accept_mimetypes.best == "application/json":
        return jsonify({c.name: {"ok": c.ok, "detail": c.detail} for c in results}), 200 if all(c.ok for c in results) else 503
    return render("health/index.html", "health/_checks.html", checks=results)


@bp.post("/tester-worker")
@allow("owner")
def test_worker():
    """Put a small job on the queue; the worker check shows when it is taken."""
    enqueue("qualirepar.health.tasks.ping")
    flash(_("Tâche de test envoyée au worker."), "info")
    return redirect_to("health.index")
