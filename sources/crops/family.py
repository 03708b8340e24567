"""The crop_surveys family, declared once (see sources/family.py)."""
from ..family import DbtMembers, Family

FAMILY = Family(
    name="crop_surveys",
    title="Illicit crop surveys (WDR statistical annex, UNODC crop monitoring)",
    package=__package__,
    order=30,
    dbt=DbtMembers(snapshots="stg_crop__snapshots", rejects="stg_crop__rejects", files="stg_crop__files", indicator_values=("int_indicator_values__crops",)),
)
