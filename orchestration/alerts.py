"""Run-failure alerts: always a line in var/log/alerts.log; a webhook and an e-mail when configured.

    UNODC_ALERT_WEBHOOK_URL     POST the alert as JSON
    UNODC_ALERT_WEBHOOK_TOKEN   sent as "Authorization: Bearer …" (never logged)
    UNODC_ALERT_SMTP_HOST, UNODC_ALERT_SMTP_PORT (25), UNODC_ALERT_EMAIL_FROM, UNODC_ALERT_EMAIL_TO
"""
from __future__ import annotations

import json
import smtplib
import urllib.request
from datetime import datetime, timezone
from email.message import EmailMessage

from sources.settings import Paths, SettingsError, settings


def notify_failure(paths: Paths, summary: str, details: list[str], run_id: str | None = None) -> list[str]:
    """Send the alert everywhere configured; return where it went (an unreachable channel is noted, not raised)."""
    alert = {"at": datetime.now(timezone.utc).isoformat(timespec="seconds"), "run_id": run_id,
             "summary": summary, "details": details[:50]}
    sent = []
    log = paths.home / "var" / "log" / "alerts.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(alert) + "\n")
    sent.append(f"log {log}")
    try:
        config = settings()
    except SettingsError as exc:
        # The command checks settings at start; an alert is never lost to a bad one set since.
        sent.append("webhook refused: only http(s) URLs" if "WEBHOOK_URL" in str(exc) else f"alert settings refused: {exc}")
        return sent
    url = config.alert_webhook_url
    if url:
        headers = {"Content-Type": "application/json"}
        if token := config.alert_webhook_token:
            headers["Authorization"] = f"Bearer {token}"
        try:
            request = urllib.request.Request(url, data=json.dumps(alert).encode(), headers=headers, method="POST")
            with urllib.request.urlopen(request, timeout=10) as response:
                sent.append(f"webhook HTTP {response.status}")
        except OSError as exc:
            sent.append(f"webhook failed: {getattr(exc, 'reason', exc)}")
    host, to = config.alert_smtp_host, config.alert_email_to
    if host and to:
        message = EmailMessage()
        message["Subject"] = f"unodc-indicators: {summary}"
        message["From"] = config.alert_email_from
        message["To"] = to
        message.set_content("\n".join([summary, "", *details[:50], "", f"run {run_id}"]))
        try:
            with smtplib.SMTP(host, config.alert_smtp_port, timeout=10) as smtp:
                smtp.send_message(message)
            sent.append(f"e-mail to {to}")
        except (OSError, smtplib.SMTPException) as exc:
            sent.append(f"e-mail failed: {exc}")
    return sent
