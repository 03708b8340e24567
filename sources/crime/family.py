"""The crime_statistics family, declared once (see sources/family.py)."""
from ..family import DbtMembers, Family

FAMILY = Family(
    name="crime_statistics",
    title="Crime statistics (dataUNODC UN-CTS) and the WDR drug seizures table",
    package=__package__,
    order=20,
    dbt=DbtMembers(snapshots="stg_crime__snapshots", rejects="stg_crime__rejects", files="stg_crime__files", indicator_values=("int_indicator_values__crime", "int_indicator_values__seizures")),
)
