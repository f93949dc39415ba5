"""The report's languages and output formats: one list for the renderer, Dagster config and CLI."""

LANGS = ("id", "en")
FORMATS = ("html", "pdf", "xlsx", "csv", "parquet")
