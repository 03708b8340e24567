"""Exports for the World Drug Report team and researchers: annex-style workbooks, tidy CSV and
Parquet with metadata, and SDMX-CSV, all drawn from one published release."""
