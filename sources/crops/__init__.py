"""Illicit crop surveys: WDR statistical annex tables and compiled country-year survey figures."""
