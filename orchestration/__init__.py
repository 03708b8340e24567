"""Dagster definitions, the build database, the quality gate and the publish step."""
