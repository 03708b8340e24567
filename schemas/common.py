from __future__ import annotations

ISO3_PATTERN = r"^[A-Z]{3}$"
SHA256_PATTERN = r"^[0-9a-f]{64}$"
M49_PATTERN = r"^\d{3}$"
