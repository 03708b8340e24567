"""`unodc-indicators report`: the static scorecard site of one release.

The site is written to a staging folder beside the target and moved into place whole, so a reader
never sees half a site; a target folder is replaced only if it is empty or an earlier site (it holds
the marker file), never a folder of something else.
"""
from __future__ import annotations

import os
import shutil
import time
from importlib import resources
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from .charts import HATCH
from .data import read_release
from .formats import STATUS_LABELS, slug
from .pages import Site

MARKER = ".unodc-scorecard"


def environment() -> Environment:
    # auto_reload off: the templates do not change while a site is written (a check of each file's
    # time on every page was a twentieth of the site's time).
    env = Environment(loader=PackageLoader("report", "templates"), autoescape=select_autoescape(["html"]),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, auto_reload=False)
    return env


def static_text(name: str) -> str:
    return resources.files("report").joinpath("static", name).read_text(encoding="utf-8")


def build_site(release_db: Path, out: Path) -> dict:
    started = time.perf_counter()
    out = Path(out).resolve()
    if out.exists() and any(out.iterdir()) and not (out / MARKER).exists():
        raise ValueError(f"{out} is not empty and holds no earlier site: choose another --out")
    release = read_release(Path(release_db))
    site = Site(release)
    env = environment()
    staging = out.parent / f".{out.name}.staging-{os.getpid()}"
    if staging.exists():
        shutil.rmtree(staging)
    (staging / "indicator").mkdir(parents=True)
    (staging / "country").mkdir()
    pages: list[str] = []

    def write(rel: str, template: str, root: str, **context) -> None:
        html = env.get_template(template).render(release=release, root=root, hatch=HATCH, labels=STATUS_LABELS,
                                                 **context)
        (staging / rel).write_text(html, encoding="utf-8")
        pages.append(rel)

    try:
        (staging / "site.css").write_text(static_text("site.css"), encoding="utf-8")
        write("index.html", "framework.html", "", page="framework", fw=site.framework())
        sort_script = static_text("sort.js")
        for code in site.computed:
            write(f"indicator/{slug(code)}.html", "indicator.html", "../", page="indicator",
                  ind=site.indicator(code), sort_script=Markup(sort_script))
            site.indicator_csv(code).write_csv(staging / "indicator" / f"{slug(code)}.csv")
        countries = release.countries.to_dicts()
        for c in countries:
            write(f"country/{slug(c['iso3'])}.html", "country.html", "../", page="country",
                  c=site.country(c["iso3"]), n_instruments=release.instruments.height)
        write("countries.html", "countries.html", "", page="countries", countries=countries)
        write("changes.html", "changes.html", "", page="changes", ch=site.changes(), computed=set(site.computed))
        (staging / MARKER).write_text(release.release_id + "\n")
        if out.exists():
            shutil.rmtree(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staging, out)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    size = sum(f.stat().st_size for f in out.rglob("*") if f.is_file())
    return {"release_id": release.release_id, "out": str(out), "pages": len(pages),
            "indicators": len(site.computed), "countries": len(countries), "bytes": size,
            "seconds": round(time.perf_counter() - started, 2)}
