"""The strategy's annex of results and performance indicators, and the registry built on it."""
