"""The scorecard: a static site of one release (framework, indicators, Member States, changes)."""
