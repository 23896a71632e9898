"""What Factur-X costs when an invoice is issued: the invoice PDF as it was rendered before issue 20
(WeasyPrint, plain PDF) against `billing.invoices.render_invoice_pdf` now (PDF/A-3b, the CII XML
built, checked against the XSD and the EN 16931 Schematron, embedded with its XMP metadata), and
each step alone. Median and p95 over N rounds (each step once per round) of the washing-machine invoice, in a bare Flask app
(templates and filters, no database).

    .venv/bin/python bench/facturx.py [-n 30]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# This file is named like the package it measures: its own folder off the path, so `import facturx` is the package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

import facturx  # noqa: E402
from flask import render_template  # noqa: E402
from weasyprint import HTML  # noqa: E402

from qualirepar.billing import invoices  # noqa: E402
from qualirepar.einvoice import validate, writer  # noqa: E402
from tests.einvoice.builders import invoice  # noqa: E402
from tests.ocr.corpus import _bare_app  # noqa: E402


def _timed(steps: dict, n: int) -> dict:
    """Each step once per round, N rounds: a machine that gets busier slows every step alike."""
    runs: dict = {name: [] for name in steps}
    for _ in range(n):
        for name, fn in steps.items():
            start = time.perf_counter()
            fn()
            runs[name].append((time.perf_counter() - start) * 1000)
    return {name: (statistics.median(r), sorted(r)[min(n - 1, int(n * 0.95))]) for name, r in runs.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=30)
    n = parser.parse_args().n
    inv, lines = invoice()
    app = _bare_app()
    app.jinja_env.globals.setdefault("order_deposits", lambda order_id: [])  # no database here: no deposits
    with app.test_request_context():
        start = time.perf_counter()
        ctx = invoices.facturx_context(inv, lines)
        xml = writer.build(inv, lines, ctx)
        validate.rule_problems(xml)
        cold = (time.perf_counter() - start) * 1000  # the Schematron compiled once per process
        html = render_template("billing/invoice_pdf.html", invoice=inv, lines=lines, credited=None, organism_label="Ecologic",
                               mentions=ctx.mentions, deposits=ctx.deposits, duplicate=None, business=False,
                               billing=inv.buyer)
        plain = HTML(string=html).write_pdf()
        steps = {
            "before: WeasyPrint, plain PDF": lambda: HTML(string=html).write_pdf(),
            "WeasyPrint, PDF/A-3b": lambda: HTML(string=html).write_pdf(pdf_variant="pdf/a-3b"),
            "CII XML built": lambda: writer.build(inv, lines, ctx),
            "XSD check": lambda: validate.schema_problems(xml),
            "EN 16931 Schematron (warm)": lambda: validate.rule_problems(xml),
            "XML embedded (factur-x)": lambda: facturx.generate_from_binary(plain, xml, flavor="factur-x", level="en16931",
                                                                           check_xsd=False, lang="fr-FR"),
            "after: render_invoice_pdf": lambda: invoices.render_invoice_pdf(inv, lines),
        }
        results = _timed(steps, n)
    bare = results["before: WeasyPrint, plain PDF"][0]
    print(f"{n} renders each; Schematron compile + first run: {cold:.0f} ms (once per process)")
    print(f"{'step':38} {'median ms':>10} {'p95 ms':>8} {'× bare':>7}")
    for name, (median, p95) in results.items():
        print(f"{name:38} {median:10.1f} {p95:8.1f} {median / bare:7.2f}")


if __name__ == "__main__":
    main()
