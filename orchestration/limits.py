"""Limits the build's blocking checks apply, kept apart from Dagster so that `inspect` (which
never imports Dagster) applies the very same numbers."""

# No file may reject more than this share of its rows (a layout change shows here).
MAX_REJECT_RATE = 0.05
# Files under this many rows (a filled template, an annex table) are not rated: a few bad rows
# there are rejected and reported while the rest loads. A file whose every row is rejected fails.
RATE_MIN_ROWS = 50
