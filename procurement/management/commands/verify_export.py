"""``python manage.py verify_export FILE [--files DIR]``: check an archived export.

Re-scores a JSON export's inputs and compares every number; with ``--files``,
also checks that the evidence files it lists are in DIR, unchanged (each
file is found by its name or its SHA-256, and must have that SHA-256).
"""

import hashlib
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from procurement.exports.verify import InvalidExport, verify_export


class Command(BaseCommand):
    help = (
        "Check a JSON export of a scorecard or a procurement: recompute its "
        "digests, re-score its inputs with the engine under the catalogue version "
        "it names, and compare every number. Exits non-zero on any difference."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="a .json file from an export")
        parser.add_argument(
            "--files",
            type=Path,
            metavar="DIR",
            help="a folder with the evidence files: check each one's SHA-256",
        )

    def handle(self, *args, file: Path, files: Path | None = None, **options):
        try:
            content = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}.") from exc
        try:
            result = verify_export(content)
        except InvalidExport as exc:
            raise CommandError(f"{file}: {exc}") from exc
        file_problems = check_files(content, files) if files is not None else []
        if not result.ok or file_problems:
            lines = [f"{file} does NOT match:"]
            lines += [f"  - {problem}" for problem in result.problems]
            lines += [f"  - {difference}" for difference in result.differences]
            lines += [f"  - {problem}" for problem in file_problems]
            raise CommandError("\n".join(lines))
        self.stdout.write(
            self.style.SUCCESS(
                f"{file} matches: digests recomputed, {result.checked} "
                f"scorecard(s) re-scored under {', '.join(result.catalogues)} with "
                "the same numbers"
                + (" and the same ranking." if result.kind == "procurement" else ".")
            )
        )


def check_files(content: bytes, folder: Path) -> list[str]:
    """What is missing or altered among the evidence files an export lists."""
    document = json.loads(content)
    listed = document.get("files", [])
    for assessment in document.get("assessments", []):
        listed += assessment.get("files", [])
    problems = []
    for item in listed:
        candidates = [folder / item["sha256"], folder / Path(item["name"]).name]
        found = next((path for path in candidates if path.is_file()), None)
        if found is None:
            problems.append(f"file {item['name']} ({item['criterion']}) is missing")
            continue
        digest = hashlib.sha256(found.read_bytes()).hexdigest()
        if digest != item["sha256"]:
            problems.append(
                f"file {item['name']} ({item['criterion']}) was altered: its "
                f"SHA-256 is {digest}, the export says {item['sha256']}"
            )
    return problems
