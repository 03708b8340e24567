"""The scorecard site of the real bundled build, opened page by page in headless Chromium (Debian's
`chromium` package, driven by playwright; never a browser playwright downloads).

One pass opens every page from the file system, another every page from a real HTTP server on
127.0.0.1: no console error, no failed request, no link to a missing page or anchor; the framework
lists every annex line verbatim, and values on the pages equal the warehouse.
"""
from __future__ import annotations

import functools
import http.server
import re
import threading
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlparse

import duckdb
import pytest

from orchestration.cli import main

CHROMIUM = Path("/usr/bin/chromium")
# The bounds for the bundled build.
MAX_SECONDS, MAX_BYTES = 30, 50_000_000


@pytest.fixture(scope="module")
def site(bundled_build: Path, tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("scorecard") / "site"
    started = time.perf_counter()
    assert main(["report", "--home", str(bundled_build), "--out", str(out)]) == 0
    seconds = time.perf_counter() - started
    db = bundled_build / "warehouse" / "indicators.duckdb"
    return {"out": out, "seconds": seconds, "db": db, "home": bundled_build,
            "pages": sorted(p.relative_to(out).as_posix() for p in out.rglob("*.html"))}


@pytest.fixture(scope="module")
def warehouse(site):
    con = duckdb.connect(str(site["db"]), read_only=True)
    yield con
    con.close()


def query(con, sql: str, params=None) -> list[tuple]:
    return con.execute(sql, params or []).fetchall()


def test_site_is_quick_small_and_complete(site, warehouse):
    size = sum(f.stat().st_size for f in site["out"].rglob("*") if f.is_file())
    assert site["seconds"] < MAX_SECONDS, f"the site took {site['seconds']:.1f} s"
    assert size < MAX_BYTES, f"the site is {size / 1e6:.1f} MB"
    computed = {c for (c,) in query(warehouse, """select indicator_code from rpt_indicator_coverage
                                                  where coverage_class in ('real', 'illustrative_only')""")}
    members = {c for (c,) in query(warehouse, "select iso3 from dim_country where is_un_member_state")}
    pages = set(site["pages"])
    # A family that answers more lines adds pages; none of the lines computed before may go.
    assert {f"indicator/{c}.html" for c in computed} <= pages and len(computed) >= 37
    assert {f"country/{c}.html" for c in members} <= pages and len(members) == 193
    assert {"index.html", "changes.html", "countries.html"} <= pages
    # Each indicator's download holds every row of the line.
    for code in ("TRA.R1.D1", "ALT.R1.D1"):
        n = query(warehouse, "select count(*) from fct_indicator_values where indicator_code = ?", [code])[0][0]
        lines = (site["out"] / "indicator" / f"{code}.csv").read_text().count("\n")
        assert lines == n + 1
    # The asset that runs after each publish wrote the same release's site into the home.
    release = query(warehouse, "select release_id from audit.release")[0][0]
    assert (site["home"] / "var" / "report" / release / "index.html").exists()


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs, self.ids, self.srcs = [], set(), []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "a" and a.get("href"):
            self.hrefs.append(a["href"])
        if tag in ("link", "script", "img") and (a.get("href") or a.get("src")):
            self.srcs.append(a.get("href") or a.get("src"))


def test_no_link_or_resource_points_anywhere_missing_or_outside(site):
    parsed = {}
    for rel in site["pages"]:
        p = _Links()
        p.feed((site["out"] / rel).read_text(encoding="utf-8"))
        parsed[rel] = p
    broken = []
    for rel, p in parsed.items():
        for ref in p.srcs:
            # Nothing is fetched from elsewhere: no CDN, no web font, no remote script.
            assert ref.startswith("data:") or not urlparse(ref).scheme, f"{rel} loads {ref}"
        for href in p.hrefs:
            assert not urlparse(href).scheme, f"{rel} links outside the site: {href}"
            path, fragment = urldefrag(href)
            target = (site["out"] / rel).parent / unquote(path) if path else site["out"] / rel
            target_rel = target.resolve().relative_to(site["out"].resolve()).as_posix()
            if not target.exists():
                broken.append(f"{rel} -> {href}")
            elif fragment and target_rel in parsed and fragment not in parsed[target_rel].ids:
                broken.append(f"{rel} -> {href} (no such anchor)")
    assert broken == []


def _browser():
    if not CHROMIUM.exists():
        pytest.skip("no browser: /usr/bin/chromium is absent (apt-get install chromium); the pages were not opened")
    from playwright.sync_api import sync_playwright

    return sync_playwright()


def _open_all(page, base: str, pages: list[str]) -> list[str]:
    problems: list[str] = []
    current = {"url": ""}
    page.on("console", lambda m: problems.append(f"{current['url']}: console {m.type}: {m.text}")
            if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"{current['url']}: script error {e}"))
    page.on("requestfailed", lambda r: problems.append(f"{current['url']}: request failed {r.url}"))
    page.on("response", lambda r: problems.append(f"{current['url']}: HTTP {r.status} {r.url}")
            if r.status >= 400 else None)
    for rel in pages:
        current["url"] = rel
        response = page.goto(base + rel, wait_until="load")
        assert response is None or response.ok, f"{rel}: {response.status}"
        assert page.locator("main h1").count() == 1, f"{rel} has no heading"
    return problems


def test_every_page_opens_cleanly_from_the_file_system(site, warehouse, tmp_path):
    with _browser() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM))
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 1000})
            assert _open_all(page, site["out"].as_uri() + "/", site["pages"]) == []
            _check_framework(page, site, warehouse, tmp_path)
            _check_indicator(page, site, warehouse, tmp_path)
            _check_country(page, site, warehouse, tmp_path)
            _check_narrow(browser, site)
        finally:
            browser.close()


def _sample(pages: list[str]) -> list[str]:
    """The top pages and the first three of each kind: the file-system pass opens every page."""
    top = [p for p in pages if "/" not in p]
    kinds = sorted({p.split("/")[0] for p in pages if "/" in p})
    return top + [p for kind in kinds for p in [q for q in pages if q.startswith(kind + "/")][:3]]


def test_pages_open_cleanly_from_a_web_server(site):
    handler = functools.partial(_QuietHandler, directory=str(site["out"]))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with _browser() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM))
            try:
                page = browser.new_page()
                base = f"http://127.0.0.1:{server.server_address[1]}/"
                assert _open_all(page, base, _sample(site["pages"])) == []
                # The download is served too.
                assert page.request.get(base + "indicator/TRA.R1.D1.csv").ok
            finally:
                browser.close()
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class Shown(float):
    """A number as a page shows it, with the decimals it shows."""
    decimals: int


def _number(text: str) -> Shown:
    match = re.search(r"-?[\d,]+(?:\.(\d+))?", text)
    assert match, f"no number in {text!r}"
    shown = Shown(match.group().replace(",", ""))
    shown.decimals = len(match.group(1) or "")
    return shown


def _close(shown: Shown, value: float) -> bool:
    """The warehouse's value, rounded as shown: within half a unit of the last digit shown."""
    return abs(shown - value) <= 0.5 * 10 ** -shown.decimals + 1e-9


def _check_framework(page, site, con, shots: Path):
    page.goto(site["out"].as_uri() + "/index.html")
    annex = query(con, """select indicator_code, indicator_text from dim_indicator where origin = 'annex'
                          order by annex_order""")
    assert len(annex) == 132
    listed = dict(page.eval_on_selector_all(
        "li.line", "els => els.map(e => [e.dataset.code, e.querySelector('.line-text').innerText])"))
    missing = [code for code, _ in annex if code not in listed]
    assert missing == []
    # Verbatim: the annex's words, whitespace aside.
    differ = [code for code, text in annex if " ".join(listed[code].split()) != " ".join(text.split())]
    assert differ == []
    # The counts at the top are the coverage report's.
    real = query(con, "select count(*) from rpt_indicator_coverage where origin = 'annex' and coverage_class = 'real'")
    assert _number(page.locator(".counts .cls-real strong").inner_text()) == real[0][0]
    # Each real line's latest world value (first breakdown) equals the warehouse.
    for code in ("TRA.R1.D1", "RAT.R1.I3", "ALT.R1.D1"):
        year, value = query(con, """
            select year, value from fct_indicator_values
            where indicator_code = ? and ref_area_code = '001' and value is not null
              and disaggregation = (select min(disaggregation) from fct_indicator_values
                                    where indicator_code = ? and ref_area_code = '001')
            order by year desc limit 1""", [code, code])[0]
        fact = page.locator(f'[id="line-{code}"] li.fact').first
        assert _close(_number(fact.locator(".val").inner_text()), value), code
        assert fact.locator(".yr").inner_text() == f"in {year}"
    # Every line that only the illustrative sample fills carries the mark; no real line's value does.
    for code, in query(con, "select indicator_code from rpt_indicator_coverage where coverage_class = 'illustrative_only'"):
        assert page.locator(f'[id="line-{code}"] .illus-tag').count() >= 1, code
    assert page.locator('[id="line-TRA.R1.D1"] li.fact .illus-tag').count() == 0
    page.set_viewport_size({"width": 1200, "height": 1600})
    page.screenshot(path=str(shots / "framework.png"))
    # Keyboard: the first Tab reaches the skip link.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"


def _check_indicator(page, site, con, shots: Path):
    page.goto(site["out"].as_uri() + "/indicator/TRA.R1.D1.html")
    year, value = query(con, """select year, value from fct_indicator_values
                                where indicator_code = 'TRA.R1.D1' and ref_area_code = 'NGA' and value is not null
                                order by year desc limit 1""")[0]
    row = page.locator('tr[data-iso3="NGA"]')
    assert row.locator("td").nth(0).inner_text() == str(year)
    assert _close(_number(row.locator("td.val").inner_text()), value)
    # Every chart has an accessible name and a data table.
    figures = page.locator("figure")
    assert figures.count() >= 6
    for i in range(figures.count()):
        f = figures.nth(i)
        assert f.locator("svg title").first.text_content() and f.locator("details table").count() == 1
    # Sorting by value with the keyboard: the sort button is focusable, Enter sorts.
    button = page.locator("table.sortable th button", has_text="Value").first
    button.focus()
    page.keyboard.press("Enter")
    values = [float(v) for v in page.eval_on_selector_all(
        "table.sortable tbody tr td.val", "els => els.map(e => e.dataset.sort)") if v]
    assert values == sorted(values) and len(values) > 100
    # Published world estimates: hollow markers (status E), none drawn as a normal value.
    world = page.locator("figure.world").first
    assert world.locator("g.m.e").count() > 10 and world.locator("g.m.a").count() == 0
    page.screenshot(path=str(shots / "indicator.png"), full_page=False)
    # Withheld aggregates leave a gap and a cross; an illustrative line is hatched and marked.
    page.goto(site["out"].as_uri() + "/indicator/ALT.R1.D1.html")
    withheld = query(con, """select count(*) from fct_indicator_values where indicator_code = 'ALT.R1.D1'
                             and ref_area_code = '001' and obs_status = 'O'""")[0][0]
    assert withheld > 0 and page.locator("figure.world g.m.o").count() == withheld
    page.goto(site["out"].as_uri() + "/indicator/RAT.R1.I2.html")
    assert page.locator(".banner .illus-tag").count() == 1
    assert page.locator("svg.chart.illustrative").count() == page.locator("svg.chart").count() > 0


def _check_country(page, site, con, shots: Path):
    page.goto(site["out"].as_uri() + "/country/PER.html")
    party_since = query(con, """select party_since::varchar from fct_treaty_participation
                                where participant_iso3 = 'PER' and instrument_code = 'UNTOC'""")[0][0]
    row = page.locator("table.treaties tr", has_text="against Transnational Organized Crime").first
    assert party_since in row.inner_text()
    # Peru's coca series b and c: never one line across the change of series.
    coca = page.locator("figure", has_text="coca bush").first
    assert coca.locator("polyline.s0").count() >= 1 and coca.locator("polyline.s1").count() >= 1
    latest = query(con, """select value from fct_crop_cultivation where is_current and country_iso3 = 'PER'
                           and crop = 'coca_bush' and measure = 'cultivation_ha' order by year desc limit 1""")[0][0]
    cells = coca.locator("details tbody tr").last.locator("td").all_text_contents()
    assert _close(_number(cells[1]), latest)
    # The illustrative sample is marked where it appears.
    illustrative = query(con, "select count(*) from fct_assistance where country_iso3 = 'PER' and is_illustrative")[0][0]
    if illustrative:
        assert page.locator("#assist-h ~ .is-illus .illus-tag").count() == 1
    page.screenshot(path=str(shots / "country.png"), full_page=False)


def _check_narrow(browser, site):
    """Readable at 360 px: no page of each kind scrolls sideways."""
    page = browser.new_page(viewport={"width": 360, "height": 800})
    for rel in ("index.html", "indicator/RAT.R1.D1.html", "country/PER.html", "changes.html"):
        page.goto(site["out"].as_uri() + "/" + rel)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, rel
    page.close()
