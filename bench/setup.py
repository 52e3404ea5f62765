"""Settings every benchmark shares: a throw-away database, production-like settings."""

from __future__ import annotations

import os
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def configure(database: Path | None = None) -> None:
    """Point Django at our own database (never the environment's), DEBUG off."""
    sys.path.insert(0, str(BASE_DIR))
    if database is not None:
        os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ["DJANGO_DEBUG"] = "false"  # no query log in memory, like production
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-" + "x" * 50)
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
