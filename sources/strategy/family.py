"""The strategy text and its annex: the registry of results and indicators is read from it. A
reference family: built and listed with the others, it answers no annex line itself."""
from ..family import DbtMembers, Family

FAMILY = Family(
    name="strategy",
    title="UNODC strategy 2008-2011 and the annex's indicator registry",
    package=__package__,
    order=0,
    answers_indicators=False,
    schemas="registry",
    dbt=DbtMembers(snapshots="stg_registry__snapshots", staging="registry"),
)
