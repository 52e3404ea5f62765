"""No Python module of ours passes 600 lines (migrations aside).

A module that grows past that becomes a package split by concept, so that a
newcomer finds a behaviour from the folder names (see DESIGN.md, "Rooms that
come next"). The limit is on lines as ``wc -l`` counts them.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = ("config", "procurement", "scoring", "webhooks", "bench", "tests")
MAX_LINES = 600


def our_modules():
    """manage.py and every .py below our folders, migrations left out."""
    yield ROOT / "manage.py"
    for folder in FOLDERS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            if "migrations" not in path.relative_to(ROOT).parts:
                yield path


def line_count(path):
    with path.open("rb") as file:
        return sum(1 for _ in file)


def test_no_module_of_ours_passes_600_lines():
    sizes = {
        path.relative_to(ROOT).as_posix(): line_count(path) for path in our_modules()
    }

    too_long = [
        f"{name}: {lines} lines" for name, lines in sizes.items() if lines > MAX_LINES
    ]

    assert {"manage.py", "scoring/engine/rules.py", "tests/conftest.py"} <= set(sizes)
    assert not too_long, "over 600 lines, split by concept: " + ", ".join(too_long)
