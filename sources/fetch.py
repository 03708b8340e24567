"""HTTP fetching for every source: timeouts, retries with backoff, size limits, truncation checks."""
from __future__ import annotations

import logging
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field

from .errors import FetchError
from .parsing import MAX_FILE_BYTES
from .settings import settings

log = logging.getLogger(__name__)
USER_AGENT = "unodc-indicators/0.1 (open data pipeline)"
RETRY_STATUS = {429, 500, 502, 503, 504}


@dataclass
class FetchPolicy:
    # A slow mirror needs a longer timeout, a drill against a dead one a shorter: configuration.
    timeout: float = field(default_factory=lambda: settings().fetch_timeout)
    attempts: int = field(default_factory=lambda: settings().fetch_attempts)
    backoff: float = field(default_factory=lambda: settings().fetch_backoff)  # doubles after each failure
    max_bytes: int = MAX_FILE_BYTES


def http_get(url: str, policy: FetchPolicy | None = None, headers: dict | None = None) -> bytes:
    """GET a URL, retrying transient failures; raise FetchError with every attempt's reason."""
    policy = policy or FetchPolicy()
    if not url.lower().startswith(("http://", "https://")):
        raise FetchError(f"refusing to fetch {url!r}: only http and https URLs are fetched")
    reasons: list[str] = []
    delay = policy.backoff
    for attempt in range(1, policy.attempts + 1):
        try:
            request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, **(headers or {})})
            with urllib.request.urlopen(request, timeout=policy.timeout) as response:
                expected = response.headers.get("Content-Length")
                body = response.read(policy.max_bytes + 1)
            if len(body) > policy.max_bytes:
                raise FetchError(f"{url}: body is over the {policy.max_bytes}-byte limit")
            if expected is not None and expected.isdigit() and int(expected) != len(body):
                raise _Transient(f"truncated body: {len(body)} of {expected} bytes")
            return body
        except urllib.error.HTTPError as exc:
            reasons.append(f"attempt {attempt}: HTTP {exc.code}")
            if exc.code not in RETRY_STATUS:
                break
        except (_Transient, urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
            reasons.append(f"attempt {attempt}: {getattr(exc, 'reason', None) or exc}")
        if attempt < policy.attempts:
            log.warning("fetch %s failed (%s); retrying in %.1fs", url, reasons[-1], delay)
            time.sleep(delay)
            delay *= 2
    raise FetchError(f"{url}: " + "; ".join(reasons))


class _Transient(Exception):
    pass
