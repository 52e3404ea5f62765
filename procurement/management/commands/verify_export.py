"""``python manage.py verify_export FILE``: re-score an archived JSON export."""

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

    def handle(self, *args, file: Path, **options):
        try:
            content = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}.") from exc
        try:
            result = verify_export(content)
        except InvalidExport as exc:
            raise CommandError(f"{file}: {exc}") from exc
        if not result.ok:
            lines = [f"{file} does NOT match:"]
            lines += [f"  - {problem}" for problem in result.problems]
            lines += [f"  - {difference}" for difference in result.differences]
            raise CommandError("\n".join(lines))
        self.stdout.write(
            self.style.SUCCESS(
                f"{file} matches: digests recomputed, {result.checked} "
                f"scorecard(s) re-scored under {', '.join(result.catalogues)} with "
                "the same numbers"
                + (" and the same ranking." if result.kind == "procurement" else ".")
            )
        )
