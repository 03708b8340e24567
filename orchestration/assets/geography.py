
import dagster as dg

from schemas.geography import Countries
from sources.geography import countries

from ..checks import family_checks, pandera_check
from ..metadata import table_metadata
from ..incremental import touched
from ..resources import PipelineResource
from ..warehouse.database import connect, write_table

COUNTRIES = ["raw", "countries"]


@dg.asset(key=COUNTRIES, group_name="geography", kinds={"python", "duckdb"},
          description="Countries and other participants: country_converter and pycountry base lists "
                      "with the project's reviewed corrections (sources/geography/*.csv).")
def raw_countries(pipeline: PipelineResource) -> dg.MaterializeResult:
    frame = countries()
    with connect(pipeline.paths().build_db) as con:
        touched(con)
        write_table(con, "raw", "countries", frame)
    return dg.MaterializeResult(metadata=table_metadata(
        frame, member_states=int(frame.filter(frame["entity_kind"] == "member_state").height)))


checks = family_checks("geography", tables=[pandera_check(Countries)])
