"""Every setting of the pipeline, typed and checked in one place, and where it keeps its files.

Each `UNODC_*` environment variable is one `Setting`: its default, what it means, and the parser
that turns its text into a value or refuses it in one line naming the variable. `settings()` reads
them all; `unodc-indicators` calls it before any build work, so a bad value stops the command at
once instead of after a build (README "Settings" lists them; a test keeps that table in step).
The variable that moves each dataset's URL is a setting too, made from the families' datasets
files (`url_env` in sources/<package>/datasets.yaml), so a new family brings its own.
No Dagster import: the parsers and the sources read it too.
"""
from __future__ import annotations

import os
import re
import string
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BUNDLED_DIR = Path(__file__).resolve().parent / "bundled"


@dataclass(frozen=True)
class Paths:
    home: Path

    @property
    def snapshots(self) -> Path:
        return self.home / "var" / "snapshots"

    @property
    def parse_cache(self) -> Path:
        """Parse results kept between builds (sources/parse_cache.py); safe to delete."""
        return self.home / "var" / "parse_cache"

    @property
    def build_dir(self) -> Path:
        return self.home / "var" / "build"

    @property
    def build_db(self) -> Path:
        return self.build_dir / "build.duckdb"

    @property
    def warehouse_dir(self) -> Path:
        return self.home / "warehouse"

    @property
    def published_db(self) -> Path:
        return self.warehouse_dir / "indicators.duckdb"

    @property
    def lock_file(self) -> Path:
        return self.build_dir / "build.lock"


def bundled_dir() -> Path:
    """`UNODC_BUNDLE_DIR` names another folder laid out like `sources/bundled` (family folders of files
    with `*.snapshot.yaml` sidecars) to build from instead; the benchmark's scaled copies use it."""
    return SETTING["UNODC_BUNDLE_DIR"].read(os.environ) or BUNDLED_DIR.resolve()


def paths() -> Paths:
    """`UNODC_HOME` (default: the project folder) holds `var/` and `warehouse/`."""
    return Paths(SETTING["UNODC_HOME"].read(os.environ) or PROJECT_ROOT.resolve())


# --------------------------------------------------------------------------- typed settings

class SettingsError(ValueError):
    """A setting with a value that cannot be used: one line, naming the variable."""


def _positive_int(text: str) -> int:
    if not re.fullmatch(r"\d{1,6}", text) or int(text) < 1:
        raise ValueError("not a whole number of at least 1")
    return int(text)


def _port(text: str) -> int:
    if not re.fullmatch(r"\d{1,5}", text) or not 1 <= int(text) <= 65535:
        raise ValueError("not a port number (1-65535)")
    return int(text)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError("not a number of seconds") from None
    if not (0 < value < 86400):
        raise ValueError("seconds must be above 0 and under a day")
    return value


def _time_zone(text: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError("not an IANA time zone such as UTC or Europe/Vienna") from None
    return text


def _http_url(text: str) -> str:
    if not re.fullmatch(r"https?://[^\s/?#@]+(:\d{1,5})?([/?#][^\s]*)?", text, re.IGNORECASE):
        raise ValueError("not an http(s) URL")
    return text


def _size(text: str) -> str:
    if not re.fullmatch(r"\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)", text, re.IGNORECASE):
        raise ValueError("not a size such as 2GB or 512MiB")
    return text


def _folder(text: str) -> Path:
    if "'" in text or '"' in text or "\n" in text:
        # The path reaches SQL (attach '…') at publish: refused here, before a whole build.
        raise ValueError("a folder path may not contain a quote or a line break")
    return Path(text).expanduser().resolve()


def _text(text: str) -> str:
    if "\n" in text or "\r" in text:
        raise ValueError("may not contain a line break")
    return text


def _flag(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered not in ("0", "1", "true", "false", "yes", "no"):
        raise ValueError("not a yes or no (1, 0, true, false, yes, no)")
    return lowered in ("1", "true", "yes")


def _names(text: str) -> tuple[str, ...]:
    names = tuple(n.strip() for n in text.split(",") if n.strip())
    bad = [n for n in names if not re.fullmatch(r"[a-z0-9_]+", n)]
    if bad:
        raise ValueError(f"dataset names are letters, digits and '_' separated by commas, not {bad[0]!r}")
    return names


def url_template(allowed: tuple[str, ...]) -> Callable[[str], str]:
    """A URL template may use only its named placeholders, as plain names: `{chapter}` yes;
    `{chapter.__class__}`, `{0}`, `{item[0]}` or `{item!r}` no (str.format would evaluate them)."""
    def parse(text: str) -> str:
        _http_url(text.replace("{", "").replace("}", ""))
        check_template(text, allowed)
        return text
    return parse


def check_template(text: str, allowed: tuple[str, ...]) -> list[str]:
    try:
        fields = list(string.Formatter().parse(text))
    except ValueError as exc:
        raise ValueError(f"not a URL template: {exc}") from None
    names = []
    for _, name, spec, conversion in fields:
        if name is None:
            continue
        if name not in allowed or spec or conversion:
            raise ValueError(f"placeholder {{{name}{'!' + conversion if conversion else ''}{':' + spec if spec else ''}}} "
                             f"is not one of {', '.join('{' + a + '}' for a in allowed) or 'none (no placeholder)'}")
        names.append(name)
    return names


def fill_template(text: str, allowed: tuple[str, ...], **fields: str) -> str:
    """Substitute the named placeholders of a checked template, and nothing else."""
    check_template(text, allowed)
    out = []
    for literal, name, _, _ in string.Formatter().parse(text):
        out.append(literal)
        if name is not None:
            out.append(str(fields[name]))
    return "".join(out)


@dataclass(frozen=True)
class Setting:
    name: str
    default: str | None          # None: unset means off / not configured
    meaning: str
    parse: Callable[[str], Any] = _text
    attr: str = ""

    def read(self, environ) -> Any:
        text = environ.get(self.name)
        if text is None or text == "":
            text = self.default
        if text is None:
            return None
        try:
            return self.parse(text)
        except ValueError as exc:
            shown = text if len(text) <= 80 else text[:77] + "..."
            raise SettingsError(f"{self.name}={shown!r}: {exc}") from None


SETTINGS: tuple[Setting, ...] = (
    Setting("UNODC_HOME", None, "folder that holds var/ and warehouse/ (default: the project folder)", _folder, "home"),
    Setting("UNODC_BUNDLE_DIR", None, "folder laid out like sources/bundled to build from instead", _folder, "bundle_dir"),
    Setting("UNODC_DUCKDB_MEMORY_LIMIT", "2GB", "memory each DuckDB connection of the build may take", _size,
            "duckdb_memory_limit"),
    Setting("UNODC_KEEP_RELEASES", "10", "how many untagged releases are kept under warehouse/releases/",
            _positive_int, "keep_releases"),
    Setting("UNODC_FETCH_TIMEOUT", "30", "seconds a live fetch waits for an answer", _seconds, "fetch_timeout"),
    Setting("UNODC_FETCH_ATTEMPTS", "4", "attempts of a live fetch before it keeps the last good snapshot",
            _positive_int, "fetch_attempts"),
    Setting("UNODC_FETCH_BACKOFF", "1", "seconds before the second attempt (doubles after each)", _seconds,
            "fetch_backoff"),
    Setting("UNODC_NIGHTLY_TIMEZONE", "UTC", "time zone of the nightly schedule's 02:00", _time_zone,
            "nightly_timezone"),
    Setting("UNODC_ALERT_WEBHOOK_URL", None, "POST a failed build's alert there as JSON", _http_url,
            "alert_webhook_url"),
    Setting("UNODC_ALERT_WEBHOOK_TOKEN", None, "sent with the webhook as a bearer token (never logged)", _text,
            "alert_webhook_token"),
    Setting("UNODC_ALERT_SMTP_HOST", None, "mail server for the alert e-mail", _text, "alert_smtp_host"),
    Setting("UNODC_ALERT_SMTP_PORT", "25", "its port", _port, "alert_smtp_port"),
    Setting("UNODC_ALERT_EMAIL_FROM", "unodc-indicators@localhost", "sender of the alert e-mail", _text,
            "alert_email_from"),
    Setting("UNODC_ALERT_EMAIL_TO", None, "recipient of the alert e-mail", _text, "alert_email_to"),
    Setting("UNODC_ACCEPT_SHRINK", None, "UN-CTS datasets (comma-separated) whose newest release may lose over "
            "a fifth of the published rows, indicators or countries: the acceptance is recorded in the release",
            _names, "accept_shrink"),
    Setting("UNODC_IATI_ORG_ID", None, "IATI organisation identifier (resolved by name when unset)", _text,
            "iati_org_id"),
    Setting("UNODC_VERBOSE", "0", "1: the whole Dagster and dbt log of `run` on the terminal (as `run -v`), "
            "not only in var/log/", _flag, "verbose"),
    Setting("UNODC_TERMINAL", "0", "set by `run` for its build process when its output ends on a terminal "
            "(the dbt counter redraws its line)", _flag, "terminal"),
    Setting("UNODC_FAULT", None, "crash tests only: a named point where the build kills itself (RELIABILITY.md)",
            _text, "fault"),
)
SETTING = {s.name: s for s in SETTINGS}


def url_settings() -> tuple[Setting, ...]:
    """One setting per dataset that names a `url_env`: unset, the dataset's own URL is fetched; a
    template takes only the placeholders of that URL."""
    from .family import datasets_files

    out = []
    for folder, declared in datasets_files().items():
        for name, cfg in (declared.get("datasets") or {}).items():
            if not cfg.get("url_env"):
                continue
            placeholders = tuple(dict.fromkeys(f for _, f, _, _ in string.Formatter().parse(cfg["url"]) if f))
            meaning = f"URL of {cfg.get('title') or name}"
            if placeholders:
                meaning += " (a template: " + ", ".join("{" + p + "}" for p in placeholders) + ")"
            out.append(Setting(cfg["url_env"], None, meaning, url_template(placeholders)))
    return tuple(out)


def every_setting() -> tuple[Setting, ...]:
    """The pipeline's settings and the URL of every dataset; a variable named twice is refused."""
    found = SETTINGS + url_settings()
    names = [s.name for s in found]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise SettingsError(f"environment variable(s) declared twice: {', '.join(twice)}")
    return found


@dataclass(frozen=True)
class Settings:
    values: dict

    def __getattr__(self, attr: str):
        try:
            return self.values[attr]
        except KeyError:
            raise AttributeError(attr) from None

    def get(self, name: str):
        """A setting by its variable name (the URL overrides are read so)."""
        return self.values["by_name"][name]


def settings(environ=None) -> Settings:
    """Every setting parsed from the environment; the first bad one raises SettingsError."""
    environ = os.environ if environ is None else environ
    every = every_setting()
    by_name = {s.name: s.read(environ) for s in every}
    values = {s.attr: by_name[s.name] for s in every if s.attr}
    return Settings({**values, "by_name": by_name})
