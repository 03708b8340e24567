"""Technical-assistance project outputs: IATI activity files and filled submission templates."""
