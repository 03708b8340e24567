"""Run-failure alerts to a log file, a local webhook receiver and a local SMTP receiver."""
from __future__ import annotations

import json
import socket
import socketserver
import threading

import pytest

from orchestration.alerts import notify_failure
from sources.settings import Paths


class _Smtp(socketserver.StreamRequestHandler):
    """Just enough SMTP to receive one message."""

    def handle(self):
        self.wfile.write(b"220 localhost test SMTP\r\n")
        data, in_data = [], False
        while line := self.rfile.readline():
            if in_data:
                if line in (b".\r\n", b".\n"):
                    in_data = False
                    self.server.messages.append(b"".join(data).decode())
                    self.wfile.write(b"250 queued\r\n")
                else:
                    data.append(line)
                continue
            verb = line[:4].upper()
            if verb in (b"EHLO", b"HELO"):
                self.wfile.write(b"250 localhost\r\n")
            elif verb == b"DATA":
                in_data = True
                self.wfile.write(b"354 go on\r\n")
            elif verb == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 ok\r\n")


@pytest.fixture
def smtp_server():
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Smtp)
    server.messages = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def test_an_alert_is_always_logged(tmp_path, monkeypatch):
    for name in ("UNODC_ALERT_WEBHOOK_URL", "UNODC_ALERT_SMTP_HOST", "UNODC_ALERT_EMAIL_TO"):
        monkeypatch.delenv(name, raising=False)
    sent = notify_failure(Paths(tmp_path), "the build did not publish", ["check x failed"], "run-1")
    assert sent == [f"log {tmp_path / 'var' / 'log' / 'alerts.log'}"]
    line = json.loads((tmp_path / "var" / "log" / "alerts.log").read_text().splitlines()[-1])
    assert line["summary"] == "the build did not publish" and line["details"] == ["check x failed"]


def test_webhook_and_email_receive_the_alert_and_the_token_stays_secret(tmp_path, monkeypatch, http_server, smtp_server):
    monkeypatch.setenv("UNODC_ALERT_WEBHOOK_URL", http_server.base + "/hook")
    monkeypatch.setenv("UNODC_ALERT_WEBHOOK_TOKEN", "s3cret-token")
    monkeypatch.setenv("UNODC_ALERT_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("UNODC_ALERT_SMTP_PORT", str(smtp_server.server_address[1]))
    monkeypatch.setenv("UNODC_ALERT_EMAIL_TO", "data-team@example.org")
    sent = notify_failure(Paths(tmp_path), "the build did not publish", ["step dbt_models failed"], "run-2")
    assert "webhook HTTP 204" in sent and "e-mail to data-team@example.org" in sent
    (post,) = http_server.posts
    assert post["headers"]["Authorization"] == "Bearer s3cret-token"
    assert json.loads(post["body"])["details"] == ["step dbt_models failed"]
    (message,) = smtp_server.messages
    assert "Subject: unodc-indicators: the build did not publish" in message and "step dbt_models failed" in message
    assert "s3cret-token" not in (tmp_path / "var" / "log" / "alerts.log").read_text()


def test_an_unreachable_channel_is_noted_not_raised(tmp_path, monkeypatch):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("UNODC_ALERT_WEBHOOK_URL", f"http://127.0.0.1:{port}/hook")
    monkeypatch.delenv("UNODC_ALERT_SMTP_HOST", raising=False)
    sent = notify_failure(Paths(tmp_path), "x", [], None)
    assert any(s.startswith("webhook failed") for s in sent)
    monkeypatch.setenv("UNODC_ALERT_WEBHOOK_URL", "file:///etc/passwd")
    assert "webhook refused: only http(s) URLs" in notify_failure(Paths(tmp_path), "x", [], None)
