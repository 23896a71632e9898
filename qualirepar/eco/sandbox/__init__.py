"""A local implementation of both eco-organism APIs (contract: CONTRACT.md §6), for development,
tests and benchmarks. A separate Flask app with its own SQLite file; nothing shared with the app.

    python -m qualirepar.eco.sandbox --port 5001

ecosystem is served under /ecosystem, Ecologic under /ecologic/api/v1/ecosupport/, the operator
page (accept, reject, pay, faults) under /_sandbox/.
"""
from __future__ import annotations

import os
from pathlib import Path

from flask import Flask, jsonify, request
from werkzeug.serving import WSGIRequestHandler, make_server

from .faults import Faults, parse_env
from .seed import seed
from .store import make_session

ECOSYSTEM_PREFIX = "/ecosystem"
ECOLOGIC_PREFIX = "/ecologic/api/v1/ecosupport"


class SandboxRequestHandler(WSGIRequestHandler):
    """Werkzeug drops header names with an underscore; Ecologic's key travels in `api_key`."""

    def make_environ(self):
        environ = super().make_environ()
        for key, value in self.headers.items():
            if "_" in key:
                environ["HTTP_" + key.upper().replace("-", "_")] = value
        return environ


def serve(app: Flask, host: str = "127.0.0.1", port: int = 0):
    """A threaded server for the sandbox that keeps the api_key header; call serve_forever()."""
    return make_server(host, port, app, threaded=True, request_handler=SandboxRequestHandler)


def create_sandbox_app(database_url: str | None = None, **config) -> Flask:
    app = Flask(__name__, instance_path=str(Path(os.getcwd()) / "instance"))
    app.config.update(
        DATABASE_URL=database_url or os.environ.get("SANDBOX_DATABASE_URL")
        or "sqlite:///" + str(Path(app.instance_path) / "eco_sandbox.db"),
        AUTO_ADVANCE_SECONDS=float(os.environ.get("SANDBOX_AUTO_ADVANCE_SECONDS", "0")),
        TOKEN_TTL=int(os.environ.get("SANDBOX_TOKEN_TTL", "3600")),
        MAX_FILE_MB=float(os.environ.get("SANDBOX_MAX_FILE_MB", "10")),
        SECRET_KEY="sandbox-only",
    )
    app.config.update(config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.extensions["sandbox_db"] = session = make_session(app.config["DATABASE_URL"])
    seed(session)
    app.extensions["faults"] = Faults(**parse_env(os.environ.get("SANDBOX_FAULTS")), **config.get("FAULTS", {}))

    from . import ecologic_api, ecosystem_api, operator

    app.register_blueprint(ecosystem_api.bp, url_prefix=ECOSYSTEM_PREFIX)
    app.register_blueprint(ecosystem_api.s3, url_prefix="/_s3")
    app.register_blueprint(ecologic_api.bp, url_prefix=ECOLOGIC_PREFIX)
    app.register_blueprint(operator.bp, url_prefix="/_sandbox")

    @app.teardown_appcontext
    def _remove(exc=None):
        session.remove()

    @app.errorhandler(404)
    def not_found(exc):
        if request.path.startswith(ECOLOGIC_PREFIX):
            return jsonify(Message=f"No HTTP resource was found that matches the request URI '{request.url}'."), 404
        return jsonify(error={"code": 404, "status": "NOT_FOUND", "message": "Ressource introuvable"}), 404

    return app
