"""One settings object: paths, warehouse, language and the pseudonymisation key.

Defaults point at the bundled sample so the two README commands work on a fresh clone;
environment variables (``PA_*``) and CLI options override them. The project root is derived
from this file, never from the working directory.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = PROJECT_ROOT / "data"
DEV_PSEUDONYM_KEY = "DEVELOPMENT-KEY-bundled-sample-only-not-secret"


class ConfigError(ValueError):
    """A setting is missing or invalid; the message is shown to the user as is."""


def _env_path(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    return Path(value).expanduser().resolve() if value else default


@dataclass(frozen=True)
class Settings:
    """Where inputs and outputs live, and run-wide options."""

    raw: Path = field(default_factory=lambda: _env_path("PA_RAW", DATA_DIR / "sample"))
    watch: Path = field(default_factory=lambda: _env_path("PA_WATCH", DATA_DIR / "raw"))
    frame: Path = field(
        default_factory=lambda: _env_path("PA_FRAME", DATA_DIR / "frame" / "frame.csv"))
    instrument: Path = field(default_factory=lambda: _env_path(
        "PA_INSTRUMENT", DATA_DIR / "instrument" / "pemetaan_pengasuhan.xlsx"))
    warehouse: Path = field(
        default_factory=lambda: _env_path("PA_WAREHOUSE", DATA_DIR / "warehouse.duckdb"))
    landing: Path = field(default_factory=lambda: _env_path("PA_LANDING", DATA_DIR / "landing"))
    reports: Path = field(default_factory=lambda: _env_path("PA_REPORTS", PROJECT_ROOT / "reports"))
    run_id: str = ""
    languages: tuple[str, ...] = ("id", "en")

    def pseudonym_key(self) -> tuple[bytes, bool]:
        """Return (key, is_development_key).

        Production runs (``PA_MODE=production``) must set ``PA_PSEUDONYM_KEY``: household
        identifiers are keyed hashes, and a known key would let anyone re-identify them.
        """
        key = os.environ.get("PA_PSEUDONYM_KEY", "")
        if key:
            return key.encode(), False
        if os.environ.get("PA_MODE", "development") == "production":
            raise ConfigError(
                "PA_PSEUDONYM_KEY is not set: production runs need a secret key to "
                "pseudonymise household identifiers (set PA_MODE=development for the sample)")
        return DEV_PSEUDONYM_KEY.encode(), True

    @property
    def out_dir(self) -> Path:
        return self.reports / (self.run_id or "latest")
