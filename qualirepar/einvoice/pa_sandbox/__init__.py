"""A local plateforme agréée, for development and tests (nothing shared with the app but the e-invoice
reader): it takes deposits, checks an e-invoice's XML against its XSD with `einvoice.reader` and
answers lifecycle statuses (déposée, rejetée, refusée, encaissée).

    python -m qualirepar.einvoice.pa_sandbox --port 5002

API (what `einvoice.pa.sandbox` calls):
    POST /api/v1/flows           multipart file + meta (JSON), header Idempotency-Key -> 201 the flow
    GET  /api/v1/flows/<id>      the flow: {"id", "kind", "filename", "status", "reason", "history"}
    POST /api/v1/flows/<id>/statuses  {"status": "encaissee", "paid_on", "amount"}: the seller's paid status
Operator (tests and the page /_sandbox/):
    POST /_sandbox/flows/<id>/status  {"status": "refusee"|"encaissee"|..., "reason": "..."}
    POST /_sandbox/mode               {"reject": "<reason>" or null, "fail": <n 503 answers to give>}
    POST /_sandbox/reset
Flows are kept in memory (a restart forgets them, as a sandbox may).
"""
from __future__ import annotations

import itertools
import json
import threading

from flask import Flask, abort, jsonify, render_template_string, request
from flask_babel import Babel
from werkzeug.serving import make_server

from ..reader import read
from .checks import check_deposit, utc_stamp

STATUSES = ("deposee", "rejetee", "refusee", "encaissee")


class Store:
    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        self.flows: dict[str, dict] = {}
        self.by_key: dict[str, str] = {}
        self.ids = itertools.count(1)
        self.reject_reason: str | None = None
        self.fail_next = 0


PAGE = """<!doctype html><meta charset="utf-8"><title>Bac à sable PA</title>
<h1>Plateforme agréée de démonstration</h1>
<table border="1" cellpadding="4"><tr><th>n°</th><th>type</th><th>fichier</th><th>numéro</th><th>statut</th><th>motif</th></tr>
{% for f in flows %}<tr><td>{{ f.id }}</td><td>{{ f.kind }}</td><td>{{ f.filename }}</td><td>{{ f.number or '' }}</td>
<td>{{ f.status }}</td><td>{{ f.reason or '' }}</td></tr>{% endfor %}</table>"""


def create_pa_sandbox_app(**config) -> Flask:
    app = Flask(__name__)
    app.config.update(MAX_CONTENT_LENGTH=20 * 1024 * 1024, BABEL_DEFAULT_LOCALE="fr", **config)
    Babel(app)  # the e-invoice reader's messages are lazy French strings
    store = app.extensions["pa_store"] = Store()

    def _flow(flow_id: str) -> dict:
        flow = store.flows.get(flow_id)
        if flow is None:
            abort(404)
        return flow

    @app.post("/api/v1/flows")
    def deposit():
        key = request.headers.get("Idempotency-Key", "").strip()
        upload = request.files.get("file")
        if not key or upload is None:
            return jsonify(error="Idempotency-Key and file are required"), 400
        try:
            meta = json.loads(request.form.get("meta") or "{}")
        except ValueError:
            return jsonify(error="meta is not JSON"), 400
        with store.lock:
            if store.fail_next > 0:
                store.fail_next -= 1
                return jsonify(error="service indisponible"), 503
            if key in store.by_key:  # the same deposit again: the same flow, never a second one
                return jsonify(store.flows[store.by_key[key]]), 200
            data = upload.read()
            reason = store.reject_reason or check_deposit(meta.get("kind"), data, read)
            status = "rejetee" if reason else "deposee"
            flow_id = f"PA-{next(store.ids):06d}"
            flow = {"id": flow_id, "kind": meta.get("kind"), "filename": upload.filename, "number": meta.get("number"),
                    "size": len(data), "status": status, "reason": reason,
                    "history": [{"status": status, "at": utc_stamp(), "reason": reason}]}
            store.flows[flow_id], store.by_key[key] = flow, flow_id
        return jsonify(flow), 201

    @app.get("/api/v1/flows/<flow_id>")
    def flow(flow_id):
        return jsonify(_flow(flow_id))

    @app.post("/api/v1/flows/<flow_id>/statuses")
    def seller_status(flow_id):
        """The seller's «Encaissée»: only a deposited invoice can be paid; the same report twice is one."""
        body = request.get_json(silent=True) or {}
        if body.get("status") != "encaissee":
            return jsonify(error="the seller reports only encaissee"), 400
        with store.lock:
            flow = _flow(flow_id)
            if flow["status"] not in ("deposee", "encaissee") or flow["kind"] != "invoice":
                return jsonify(error=f"flow is {flow['status']}"), 409
            if flow["status"] != "encaissee":
                flow["status"] = "encaissee"
                flow["history"].append({"status": "encaissee", "at": utc_stamp(), "reason": None,
                                        "paid_on": body.get("paid_on"), "amount": body.get("amount")})
        return jsonify(flow)

    @app.post("/_sandbox/flows/<flow_id>/status")
    def move(flow_id):
        body = request.get_json(silent=True) or {}
        if body.get("status") not in STATUSES:
            return jsonify(error=f"status must be one of {STATUSES}"), 400
        with store.lock:
            flow = _flow(flow_id)
            flow["status"], flow["reason"] = body["status"], body.get("reason")
            flow["history"].append({"status": body["status"], "at": utc_stamp(), "reason": body.get("reason")})
        return jsonify(flow)

    @app.post("/_sandbox/mode")
    def mode():
        body = request.get_json(silent=True) or {}
        with store.lock:
            store.reject_reason = body.get("reject") or None
            store.fail_next = int(body.get("fail") or 0)
        return jsonify(reject=store.reject_reason, fail=store.fail_next)

    @app.post("/_sandbox/reset")
    def reset():
        with store.lock:
            store.reset()
        return jsonify(ok=True)

    @app.get("/_sandbox/")
    def operator():
        return render_template_string(PAGE, flows=list(store.flows.values()))

    return app


def serve(app: Flask, host: str = "127.0.0.1", port: int = 0):
    """A threaded server for the sandbox; call serve_forever()."""
    return make_server(host, port, app, threaded=True)
