"""The ratification family, declared once (see sources/family.py)."""
from ..family import DbtMembers, Family

FAMILY = Family(
    name="ratification",
    title="Treaty ratification records (UN Treaty Collection)",
    package=__package__,
    order=10,
    dbt=DbtMembers(snapshots="stg_untc__snapshots", rejects="stg_untc__rejects", files="stg_untc__treaty_status", indicator_values=("int_indicator_values__ratification",)),
)
