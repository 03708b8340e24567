"""The build database, the publish step, releases and the build lock: plain Python, no Dagster.
The Dagster assets in orchestration/assets call these modules."""
