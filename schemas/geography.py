"""The raw country table: country_converter and pycountry base lists with the reviewed corrections."""
from __future__ import annotations

from datetime import date

import polars as pl

from .common import ISO3_PATTERN, M49_PATTERN
from .tables import Column, Table, row_rule

ENTITY_KINDS = ["member_state", "observer_state", "non_member_state", "historical_state",
                "territory", "historical_territory", "regional_organisation"]

Countries = Table(
    "countries", "Countries and other participants (country_converter, pycountry and reviewed corrections).", [
        Column("iso3", pl.Utf8, "ISO 3166 alpha-3 code (a project code where ISO has none).", unique=True, pattern=ISO3_PATTERN),
        Column("m49_code", pl.Utf8, "UN M49 numeric code.", nullable=True, pattern=M49_PATTERN),
        Column("name", pl.Utf8, "The name the UN uses (UN M49 name).", min_length=2),
        Column("official_name", pl.Utf8, "The official (long) name.", nullable=True),
        Column("entity_kind", pl.Utf8, "What the participant is (dim_code_list entity_kind).", isin=ENTITY_KINDS),
        Column("un_admission_year", pl.Int64, "The year the State joined the United Nations.", nullable=True,
               ge=1945, le=date.today().year),
        Column("un_exit_year", pl.Int64, "The year the State left the United Nations (dissolved or merged).", nullable=True,
               ge=1945, le=date.today().year),
        Column("valid_from", pl.Date, "The day a historical or new entity came into being, where reviewed.", nullable=True),
        Column("valid_to", pl.Date, "The day a historical entity ceased to exist.", nullable=True),
        Column("successor_iso3", pl.Utf8, "ISO3 codes of the successors of a historical entity, separated by ;.", nullable=True),
        Column("m49_region_code", pl.Utf8, "UN M49 region code.", nullable=True, isin=["002", "009", "019", "142", "150"]),
        Column("m49_region_name", pl.Utf8, "UN M49 region name.", nullable=True),
        Column("m49_subregion_code", pl.Utf8, "UN M49 subregion code.", nullable=True),
        Column("m49_subregion_name", pl.Utf8, "UN M49 subregion name.", nullable=True),
        Column("m49_intermediate_code", pl.Utf8, "UN M49 intermediate region code, where the subregion has one.", nullable=True),
        Column("m49_intermediate_name", pl.Utf8, "UN M49 intermediate region name.", nullable=True),
        Column("source", pl.Utf8, "The base list and reviewed tables the row comes from."),
        Column("note", pl.Utf8, "What the reviewed corrections say about the entity.", nullable=True),
        Column("un_admission_date", pl.Date, "The day the State joined the United Nations (reviewed table).", nullable=True),
    ], [
        row_rule("members_complete", "every member State has an admission date, its year, and an M49 region",
                 (pl.col("entity_kind") != "member_state")
                 | (pl.col("un_admission_year").is_not_null() & pl.col("m49_region_code").is_not_null()
                    & pl.col("un_admission_date").is_not_null())),
        row_rule("admission_date_matches_year", "the reviewed admission date agrees with the base list's admission year",
                 pl.col("un_admission_date").is_null()
                 | (pl.col("un_admission_date").dt.year() == pl.col("un_admission_year"))),
        row_rule("exit_after_admission", "a State leaves the UN after it joins",
                 pl.col("un_exit_year").is_null() | (pl.col("un_exit_year") >= pl.col("un_admission_year"))),
    ])

TABLES = [Countries]
