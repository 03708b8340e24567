"""World Drug Report tables of drug use and drug markets: national prevalence (1.2), regional and
global prevalence (1.1), prices and purities (8.1), each recognised by its header (README.md)."""
from __future__ import annotations

from .workbook import FORMAT, SCHEMAS, parse_drug_use

__all__ = ["FORMAT", "SCHEMAS", "parse_drug_use"]
