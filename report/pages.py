"""What each page says, as plain dicts for the templates: the framework, one page per computed
indicator line, one per Member State, and what changed since the previous release."""
from __future__ import annotations

import json
from collections import Counter, defaultdict

import polars as pl

from .charts import Point, line_chart, point_text
from .data import Release
from .formats import (COVERAGE_CLASSES, CROPS, INFLUENCE_RULES, MEASURES, STATUS_LABELS, disaggregation_label,
                      number, percent, slug)

WORLD = "001"
FRAMEWORK_DISAGGREGATIONS = 4      # sparklines per line on the framework page; the rest on the indicator page


def points(rows: list[dict], segment_by: str | None = "aggregation_method") -> list[Point]:
    return [Point(year=r["year"], value=r["value"], status=r["obs_status"] or "A", lower=r["lower_bound"],
                  upper=r["upper_bound"], illustrative=bool(r["is_illustrative"]),
                  segment=r.get(segment_by) if segment_by else None) for r in rows]


def value_text(row: dict) -> str:
    """A fact as a reader sees it: value, share of members, bounds."""
    if row["value"] is None and row.get("lower_bound") is not None:
        return f"{number(row['lower_bound'])} to {number(row['upper_bound'])}"
    if row["value"] is None:
        return "withheld" if row["obs_status"] == "O" else "–"
    text = number(row["value"])
    if row.get("share_of_members") is not None and row.get("ref_area_type") != "country":
        text += f" ({percent(row['share_of_members'])} of {row['members_in_group']})"
    elif row.get("lower_bound") is not None and row.get("upper_bound") is not None:
        text += f" ({number(row['lower_bound'])} to {number(row['upper_bound'])})"
    return text


def coverage_text(row: dict) -> str:
    """How much of its group an aggregate rests on, in words."""
    if row.get("ref_area_type") == "country" or row.get("members_in_group") is None:
        return ""
    text = f"{row['members_reporting']} of {row['members_in_group']} report"
    if row.get("coverage_share") is not None:
        text += f" ({percent(row['coverage_share'])}"
        if row.get("coverage_minimum"):
            text += f"; the rule asks for {percent(row['coverage_minimum'])}"
        text += ")"
    if row.get("aggregation_method"):
        text += f"; {row['aggregation_method'].replace('_', ' ')}"
    return text


def latest(rows: list[dict]) -> dict | None:
    """The latest row with a value (a withheld later year is said beside it by the caller)."""
    with_value = [r for r in rows if r["value"] is not None]
    return max(with_value, key=lambda r: r["year"]) if with_value else None


def withheld_after(rows: list[dict], year: int | None) -> list[dict]:
    return [r for r in rows if r["obs_status"] == "O" and (year is None or r["year"] > year)]


class Site:
    """Builds every page's context from one release."""

    def __init__(self, release: Release):
        self.r = release
        self.titles = release.instrument_titles
        self.member = set(release.countries["iso3"].to_list())
        values = release.values
        self.by_indicator: dict[str, pl.DataFrame] = {
            k[0]: v for k, v in values.partition_by("indicator_code", as_dict=True).items()}
        self.computed = [c for c in release.lines.filter(pl.col("coverage_class").is_in(["real", "illustrative_only"]))
                         ["indicator_code"].to_list() if c in self.by_indicator]
        self.line_by_code = {r["indicator_code"]: r for r in release.lines.iter_rows(named=True)}
        self._chart_seq = 0
        # A country page reads its rows of every line, of the crops, treaties and assistance: split
        # by country once (filtering each frame for each of 193 pages took most of the site's time),
        # and a line's rows by breakdown as plain rows (a polars split of each country's rows of
        # each line was 2,700 calls, 1.4 s), in the order of their first row as polars splits them.
        self.country_rows: dict[tuple[str, str], dict[str | None, list[dict]]] = {}
        for code in self.computed:
            facts = self.by_indicator[code].filter(pl.col("ref_area_type") == "country")
            for row in facts.to_dicts():
                self.country_rows.setdefault((row["ref_area_code"], code), {}).setdefault(
                    row["disaggregation"], []).append(row)
        self.crops_by_country = _by_country(release.crops)
        self.treaties_by_country = _by_country(release.treaties)
        self.assistance_by_country = _by_country(release.assistance)

    # -- helpers -------------------------------------------------------------------------------
    def chart_id(self) -> str:
        self._chart_seq += 1
        return f"c{self._chart_seq}"

    def label(self, row: dict) -> str:
        return disaggregation_label(row["disaggregation_dimension"], row["disaggregation"], self.titles)

    def area_name(self, code: str) -> str:
        return self.r.areas.get(code, code)

    # -- framework -----------------------------------------------------------------------------
    def framework(self) -> dict:
        lines = list(self.r.lines.iter_rows(named=True))
        results = list(self.r.results.iter_rows(named=True))
        views = {line["indicator_code"]: self.line_view(line) for line in lines}
        themes: dict[str, dict] = {}
        for res in results:
            theme = themes.setdefault(res["theme_code"], {"code": res["theme_code"], "name": res["theme_name"],
                                                          "objectives": res["main_objectives"], "areas": {}})
            area = theme["areas"].setdefault(res["area_code"], {"code": res["area_code"], "name": res["area_name"],
                                                                "results": []})
            res_lines = [views[l["indicator_code"]] for l in lines if l["result_code"] == res["result_code"]]
            area["results"].append({"code": res["result_code"], "text": res["result_text"], "lines": res_lines,
                                    "counts": count_lines(res_lines)})
        out = []
        for theme in themes.values():
            areas = list(theme["areas"].values())
            for area in areas:
                area["counts"] = count_lines([l for res in area["results"] for l in res["lines"]])
            theme["areas"] = areas
            theme["counts"] = count_lines([l for a in areas for res in a["results"] for l in res["lines"]])
            out.append(theme)
        all_views = list(views.values())
        return {"themes": out, "counts": count_lines(all_views),
                "derived_counts": count_lines(all_views, origin="derived"),
                "annex_lines": sum(1 for v in all_views if v["origin"] == "annex")}

    def line_view(self, line: dict) -> dict:
        code = line["indicator_code"]
        view = {"code": code, "text": line["indicator_text"], "kind": line["line_kind"], "origin": line["origin"],
                "class": line["coverage_class"] or "awaiting",
                "class_text": COVERAGE_CLASSES.get(line["coverage_class"], line["coverage_class"] or ""),
                "status": line["coverage_status"], "awaits": line["awaits"], "href": None, "latest": [],
                "more": 0, "influence": None, "influence_illustrative": False, "country_only": None,
                "influence_levels": None, "influence_years": None}
        if line["line_kind"] == "note":
            return view
        if line["influence_rule"]:
            view["influence"] = INFLUENCE_RULES.get(line["influence_rule"], line["influence_rule"])
        facts = self.by_indicator.get(code)
        if code not in self.computed or facts is None:
            return view
        view["href"] = f"indicator/{slug(code)}.html"
        stated = facts.filter(pl.col("level_of_influence").is_not_null())
        if stated.height:
            levels = Counter(stated["level_of_influence"].to_list())
            view["influence_levels"] = ", ".join(f"{k} {n}" for k, n in sorted(levels.items()))
            view["influence_illustrative"] = bool(stated["influence_is_illustrative"].any())
            view["influence_years"] = f"{stated['year'].min()}–{stated['year'].max()}"
        world = facts.filter(pl.col("ref_area_code") == WORLD)
        if world.height == 0:
            countries = facts.filter(pl.col("ref_area_type") == "country")
            view["country_only"] = {"countries": countries["ref_area_code"].n_unique(),
                                    "years": f"{countries['year'].min()}–{countries['year'].max()}"}
            return view
        groups = list(world.partition_by("disaggregation", maintain_order=True))
        view["more"] = max(0, len(groups) - FRAMEWORK_DISAGGREGATIONS)
        for group in groups[:FRAMEWORK_DISAGGREGATIONS]:
            rows = _by_year(group)
            last = latest(rows)
            later = withheld_after(rows, last["year"] if last else None)
            view["latest"].append({
                "label": self.label(rows[0]), "value": value_text(last) if last else "no value",
                "year": last["year"] if last else None, "coverage": coverage_text(last) if last else "",
                "raw": last["value"] if last else None,
                "illustrative": bool(last and last["is_illustrative"]),
                "status": STATUS_LABELS.get(last["obs_status"], "") if last and last["obs_status"] != "A" else "",
                "note": last["note"] if last else None,
                "withheld_after": f"{len(later)} later year{'s' if len(later) != 1 else ''} withheld "
                                  f"({later[-1]['withheld_reason']})" if later else "",
                "chart": line_chart(points(rows), label=f"{code} {self.label(rows[0])}, world, "
                                    f"{rows[0]['year']}–{rows[-1]['year']}", width=220, height=64,
                                    chart_id=self.chart_id())})
        return view

    # -- indicator pages -----------------------------------------------------------------------
    def indicator(self, code: str) -> dict:
        line = self.line_by_code[code]
        facts = self.by_indicator[code]
        years = (facts["year"].min(), facts["year"].max())
        sections = []
        for group in facts.partition_by("disaggregation", maintain_order=True):
            # Grouped as plain rows: a polars filter per area and a split per country were some
            # thousand calls per site.
            group_rows = group.to_dicts()
            first = group_rows[0]
            label = self.label(first)
            aggregates: dict[str, list[dict]] = {}
            countries: dict[str, list[dict]] = {}
            for r in group_rows:
                (countries if r["ref_area_type"] == "country" else aggregates).setdefault(
                    r["ref_area_code"], []).append(r)
            charts = []
            agg_years = (min(r["year"] for rs in aggregates.values() for r in rs),
                         max(r["year"] for rs in aggregates.values() for r in rs)) if aggregates else years
            # The world first, then the regions by name.
            area_codes = sorted(aggregates, key=lambda a: (a != WORLD, self.area_name(a)))
            for area in area_codes:
                rows = _by_year(aggregates[area])
                last = latest(rows)
                withheld = sum(1 for r in rows if r["obs_status"] == "O")
                caption = (f"{self.area_name(area)}: latest {value_text(last)} in {last['year']}" if last
                           else f"{self.area_name(area)}: no value")
                caption += f"; {withheld} year{'s' if withheld != 1 else ''} withheld" if withheld else ""
                charts.append({
                    "area": self.area_name(area), "world": area == WORLD, "caption": caption,
                    "chart": line_chart(points(rows), label=f"{code} {label}, {self.area_name(area)}",
                                        unit=rows[0]["unit_measure"] or "", years=agg_years,
                                        width=560 if area == WORLD else 340, height=200 if area == WORLD else 150,
                                        chart_id=self.chart_id()),
                    "rows": [self.row_view(r) for r in rows],
                    "methods": sorted({r["aggregation_method"] for r in rows if r["aggregation_method"]}),
                    "rules": sorted({r["aggregation_rule"] for r in rows if r["aggregation_rule"]})})
            country_rows = []
            for part in countries.values():
                rows = _by_year(part)
                last = latest(rows) or rows[-1]
                country_rows.append({**self.row_view(last), "iso3": last["ref_area_code"], "unit": last["unit_measure"],
                                     "name": self.area_name(last["ref_area_code"]),
                                     "href": f"../country/{slug(last['ref_area_code'])}.html"
                                     if last["ref_area_code"] in self.member else None,
                                     "years": len(rows)})
            country_rows.sort(key=lambda r: r["name"])
            rules = sorted({r for c in charts for r in c["rules"]})
            first_aggregate = next(iter(aggregates.values()))[0] if aggregates else first
            sections.append({"label": label, "id": f"d-{slug(first['disaggregation'] or '_T')}", "charts": charts,
                             "rules": rules,
                             "countries": country_rows,
                             "unit": first_aggregate["unit_measure"],
                             "country_unit": next((r["unit"] for r in country_rows if r.get("unit")), "")})
        snapshot_ids = sorted({s for ids in facts["snapshot_ids"].drop_nulls().to_list()
                               for s in str(ids).replace(";", ",").split(",") if s.strip()})
        sources = [self.r.snapshots[s.strip()] for s in snapshot_ids if s.strip() in self.r.snapshots]
        sources.sort(key=lambda s: s["snapshot_name"])
        return {"line": line, "code": code, "sections": sections, "sources": sources,
                "country_rules": self.country_rules(code),
                "csv": f"{slug(code)}.csv", "illustrative": bool(facts["is_illustrative"].any()),
                "influence": INFLUENCE_RULES.get(line["influence_rule"] or "", None),
                "status_counts": dict(Counter(facts["obs_status"].to_list())),
                "rows": facts.height, "years": years}

    def row_view(self, r: dict) -> dict:
        return {"year": r["year"], "value": value_text(r), "raw": r["value"], "status": r["obs_status"],
                "status_text": STATUS_LABELS.get(r["obs_status"], r["obs_status"]),
                "coverage": coverage_text(r), "illustrative": bool(r["is_illustrative"]),
                "note": r["withheld_reason"] or r["note"], "influence": r["level_of_influence"],
                "rule": r["aggregation_rule"] if r["ref_area_type"] != "country" else None,
                "influence_illustrative": bool(r["influence_is_illustrative"])}

    def indicator_csv(self, code: str) -> pl.DataFrame:
        """Every row of the line. Left out: what the page and the file name already say once (the
        breakdown's dimension, the source family, the rule of a country's value, listed on the page
        with its count) and `influence_basis`, the reason a level of influence is empty. Repeated on
        each of 40,000 country-years, those texts were three quarters of the site's size."""
        return (self.by_indicator[code]
                .with_columns(pl.when(pl.col("ref_area_type") == "country").then(None)
                              .otherwise(pl.col("aggregation_rule")).alias("aggregation_rule"))
                .drop("disaggregation_dimension", "source_family", "influence_basis"))

    def country_rules(self, code: str) -> list[tuple[str, int]]:
        rules = self.by_indicator[code].filter(pl.col("ref_area_type") == "country")["aggregation_rule"]
        return Counter(rules.drop_nulls().to_list()).most_common()

    # -- country pages -------------------------------------------------------------------------
    def country(self, iso3: str) -> dict:
        info = self.r.countries.filter(pl.col("iso3") == iso3).row(0, named=True)
        treaties = self.treaties_by_country.get(iso3, self.r.treaties.clear()).to_dicts()
        families: dict[str, list] = defaultdict(list)
        for code in self.computed:
            line = self.line_by_code[code]
            groups = self.country_rows.get((iso3, code))
            if groups is None:
                continue
            first = next(iter(groups.values()))[0]
            if first["source_family"] in ("ratification", "crop_surveys") \
                    and not any(r["is_illustrative"] for g in groups.values() for r in g):
                # Treaties are the participation table; crops are drawn from their series below.
                continue
            for group in groups.values():
                rows = _by_year(group)
                if not any(r["value"] is not None or r["lower_bound"] is not None for r in rows):
                    continue
                last = latest(rows)
                label = self.label(rows[0])
                family = "illustrative" if rows[0]["is_illustrative"] else rows[0]["source_family"]
                families[family].append({
                    "code": code, "text": line["indicator_text"], "label": label if label != "Total" else "",
                    "unit": rows[0]["unit_measure"], "href": f"../indicator/{slug(code)}.html",
                    "latest": value_text(last) if last else "no value", "year": last["year"] if last else None,
                    "raw": last["value"] if last else None, "illustrative": bool(rows[0]["is_illustrative"]),
                    "chart": line_chart(points(rows, None), label=f"{code} {label}, {info['country_name']}",
                                        width=260, height=90, chart_id=self.chart_id()),
                    "rows": [self.row_view(r) for r in rows]})
        crops = []
        mine = self.crops_by_country.get(iso3, self.r.crops.clear())
        for group in mine.partition_by(["crop", "measure"], maintain_order=True) if mine.height else []:
            rows = group.sort("year", "series").to_dicts()
            pts = crop_points(rows)
            crops.append({"label": f"{CROPS.get(rows[0]['crop'], rows[0]['crop'])}, "
                                   f"{MEASURES.get(rows[0]['measure'], rows[0]['measure'])}",
                          "unit": rows[0]["unit"],
                          "series": sorted({r["series"] for r in rows if r["series"]}),
                          "chart": line_chart(pts, label=f"{rows[0]['crop']} {rows[0]['measure']}, "
                                              f"{info['country_name']}", unit=rows[0]["unit"], width=360,
                                              height=140, chart_id=self.chart_id(), label_segments=True),
                          "rows": [{"year": r["year"], "series": r["series"], "value": number(r["value"]),
                                    "bounds": f"{number(r['lower_bound'])} to {number(r['upper_bound'])}"
                                    if r["lower_bound"] is not None else "",
                                    "status": STATUS_LABELS.get(r["obs_status"], r["obs_status"]),
                                    "edition": r["edition"], "raw": r["value"]} for r in rows]})
        assistance = self.assistance_by_country.get(iso3, self.r.assistance.clear()).to_dicts()
        order = ["crime_statistics", "illustrative"]
        return {"info": info, "treaties": treaties, "crops": crops,
                "families": [(f, families[f], line_keys(families[f])) for f in order if families.get(f)],
                "assistance_real": [a for a in assistance if not a["is_illustrative"]],
                "assistance_illustrative": [a for a in assistance if a["is_illustrative"]]}

    # -- what changed --------------------------------------------------------------------------
    def changes(self) -> dict:
        manifest = self.r.manifest
        ch = self.r.changes
        summary = (ch.group_by("table_name", "change").len().sort("table_name", "change").to_dicts()
                   if ch.height else [])
        by_indicator = []
        samples = []
        if ch.height:
            facts = ch.filter(pl.col("table_name") == "fct_indicator_values")
            if facts.height:
                codes = facts.with_columns(pl.col("row_key").map_elements(
                    lambda k: json.loads(k).get("indicator_code"), return_dtype=pl.String).alias("code"))
                by_indicator = codes.group_by("code", "change").len().sort("code", "change").to_dicts()
            for part in ch.partition_by("table_name", "change", maintain_order=True):
                samples.append({"table": part["table_name"][0], "change": part["change"][0], "total": part.height,
                                "rows": part.head(25).select("row_key", "old_values", "new_values").to_dicts()})
        return {"previous": manifest.get("previous_release"), "counts": manifest.get("changes_since_previous"),
                "summary": summary, "by_indicator": by_indicator, "samples": samples,
                "row_counts": manifest.get("row_counts", {}), "snapshots": manifest.get("snapshots", [])}


def _by_year(rows: pl.DataFrame | list[dict]) -> list[dict]:
    """The rows (of a frame, or plain) in year order (a sort in polars costs a third of a millisecond
    per small frame, and the site sorts some 12,000 of them)."""
    return sorted(rows.to_dicts() if isinstance(rows, pl.DataFrame) else rows, key=lambda r: r["year"])


def _by_country(frame: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """The frame's rows by `iso3`, in their order."""
    if frame.height == 0:
        return {}
    return {k[0]: v for k, v in frame.partition_by("iso3", as_dict=True, maintain_order=True).items()}


def crop_points(rows: list[dict]) -> list[Point]:
    """A figure without a series letter continues the country's series (a survey press report);
    a change of letter is a break the chart must not join across."""
    out, current = [], None
    for r in rows:
        current = r["series"] or current
        out.append(Point(year=r["year"], value=r["value"], status=r["obs_status"] or "A", lower=r["lower_bound"],
                         upper=r["upper_bound"], segment=current))
    return out


def line_keys(items: list[dict]) -> list[tuple[str, str, str]]:
    """Each line's text once, below its small charts (the captions give only its code)."""
    seen: dict[str, tuple[str, str, str]] = {}
    for f in items:
        seen.setdefault(f["code"], (f["code"], f["text"], f["href"]))
    return list(seen.values())


def count_lines(views: list[dict], origin: str = "annex") -> dict:
    c = Counter(v["class"] for v in views if v["origin"] == origin)
    return {"real": c.get("real", 0), "illustrative_only": c.get("illustrative_only", 0),
            "awaiting": c.get("awaiting", 0), "note": c.get("note", 0), "total": sum(c.values())}


__all__ = ["Site", "point_text"]
