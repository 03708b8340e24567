"""Finding, fetching, snapshotting and parsing each source family."""
