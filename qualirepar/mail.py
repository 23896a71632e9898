"""Outgoing mail: SMTP when MAIL_SERVER is set; otherwise written to the log and a local sink.

The development sink is `<instance>/outbox/*.eml` (open with any mail reader); tests read
`outbox` below.
"""
from __future__ import annotations

import datetime as dt
import smtplib
from email.message import EmailMessage
from pathlib import Path

from flask import current_app

outbox: list[EmailMessage] = []  # every message sent without SMTP, newest last


def send(to: str, subject: str, body: str, attachments: list[tuple[str, str, bytes]] | None = None) -> None:
    """Send one plain-text mail; attachments are (filename, content type, bytes)."""
    cfg = current_app.config
    msg = EmailMessage()
    msg["From"] = cfg["MAIL_DEFAULT_SENDER"]
    msg["To"] = to
    msg["Subject"] = subject
    msg.set_content(body)
    for filename, content_type, data in attachments or []:
        maintype, subtype = content_type.split("/", 1)
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    if cfg.get("MAIL_SERVER"):
        with smtplib.SMTP(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=20) as smtp:
            if cfg.get("MAIL_USE_TLS"):
                smtp.starttls()
            if cfg.get("MAIL_USERNAME"):
                smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"] or "")
            smtp.send_message(msg)
        return
    outbox.append(msg)
    current_app.logger.info("mail (no SMTP configured) to %s: %s\n%s", to, subject, body)
    if not current_app.testing:
        sink = Path(current_app.instance_path) / "outbox"
        sink.mkdir(parents=True, exist_ok=True)
        stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%d-%H%M%S-%f")
        (sink / f"{stamp}.eml").write_bytes(bytes(msg))
