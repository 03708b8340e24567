"""The project_outputs family, declared once (see sources/family.py)."""
from ..family import DbtMembers, Family

FAMILY = Family(
    name="project_outputs",
    title="Technical-assistance project outputs (IATI activities, filled templates)",
    package=__package__,
    order=40,
    dbt=DbtMembers(snapshots="stg_project__snapshots", rejects="stg_project__rejects", files="stg_project__files", indicator_values=("int_indicator_values__outputs",)),
)
