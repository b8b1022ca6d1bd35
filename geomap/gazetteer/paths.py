"""Where the gazetteer lives: one rule, used by the builder, the store and the CLI."""

from __future__ import annotations

import os
from pathlib import Path

DB_NAME = "geomap.sqlite"


def gazetteer_dir() -> Path:
    """$GEOMAP_GAZETTEER_DIR, else the checkout's gazetteer/ folder, else ~/.local/share/geomap."""
    configured = os.environ.get("GEOMAP_GAZETTEER_DIR")
    if configured:
        return Path(configured).expanduser()
    checkout = Path(__file__).resolve().parents[2] / "gazetteer"
    if checkout.is_dir():
        return checkout
    return Path.home() / ".local" / "share" / "geomap"


def default_db() -> Path:
    return gazetteer_dir() / DB_NAME


def is_default(db: Path) -> bool:
    """Whether `db` is the default location, the only one a first run may build without being asked."""
    return db.resolve() == default_db().resolve()


def user_dir(db: Path) -> Path:
    """The user's own gazetteer files sit in user/ beside the database and survive rebuilds."""
    return db.parent / "user"
