"""Read a catalogue file, validate it, and store it as rows.

A catalogue file (``scoring/catalogues/*.yaml``) is the method: pillars,
criteria with their five level descriptors, profiles with pillar weights,
knock-out thresholds and evidence caps, every text in English and French.
Validation reports every problem at once, each with its line in the file.
Storing is all-or-nothing, and a published version is never changed: loading
it again is a no-op, and loading different content under its version is
refused. A new version becomes a new catalogue.

The rooms: ``files`` (read the YAML and validate it, with the line of every
problem; the engine's spec of a file, without the database) and ``rows``
(store validated data as catalogue rows, guarding published versions).
"""

from .files import (
    BUNDLED_CATALOGUES,
    DEFAULT_CATALOGUE,
    LATEST_CATALOGUE,
    CatalogueError,
    Problem,
    build_spec,
    parse_catalogue,
    spec_from_file,
)
from .rows import LoadResult, load_catalogue, load_catalogue_text

__all__ = [
    "BUNDLED_CATALOGUES",
    "DEFAULT_CATALOGUE",
    "LATEST_CATALOGUE",
    "CatalogueError",
    "LoadResult",
    "Problem",
    "build_spec",
    "load_catalogue",
    "load_catalogue_text",
    "parse_catalogue",
    "spec_from_file",
]
