"""Sum the JUnit reports of every CI step into one closing line.

Usage: python3 .ci/summarise.py REPORTS_DIR [FAILED_STEP ...]

REPORTS_DIR holds, per step that ran, ``NAME.ran`` and (when the step got as
far as testing) ``NAME.xml``. A failed step with no failed test in its report
(ruff, a crash, "no tests collected") counts as one failure, as does a step
that ran no test at all. Prints one line per step, then, last, exactly
``N passed, N failed`` (with ``, N skipped`` when some were skipped); exits 1
when anything failed. Standard library only: it runs with the system Python.
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Count:
    passed: int = 0
    failed: int = 0
    skipped: int = 0

    def __iadd__(self, other: Count) -> Count:
        self.passed += other.passed
        self.failed += other.failed
        self.skipped += other.skipped
        return self


def read_report(path: Path) -> Count:
    """Tests, failures, errors and skips of every test suite in one report."""
    root = ET.parse(path).getroot()
    suites = [root] if root.tag == "testsuite" else root.iter("testsuite")
    count = Count()
    for suite in suites:
        tests = int(suite.get("tests", 0))
        failed = int(suite.get("failures", 0)) + int(suite.get("errors", 0))
        skipped = int(suite.get("skipped", 0))
        count += Count(passed=tests - failed - skipped, failed=failed, skipped=skipped)
    return count


def step_count(reports: Path, name: str, failed: bool) -> tuple[Count, str]:
    """What one step ran, and a note when the step failed without a failed test."""
    report = reports / f"{name}.xml"
    count = read_report(report) if report.exists() else Count()
    ran = count.passed + count.failed + count.skipped
    if ran == 0:
        return Count(failed=count.failed + 1), "ran no test"
    if failed and count.failed == 0:
        return Count(count.passed, 1, count.skipped), "failed outside its tests"
    return count, ""


def main(argv: list[str]) -> int:
    reports, failed_steps = Path(argv[1]), set(argv[2:])
    total = Count()
    for marker in sorted(reports.glob("*.ran"), key=lambda p: p.stat().st_mtime):
        name = marker.stem
        count, note = step_count(reports, name, name in failed_steps)
        total += count
        print(
            f"  {name}: {count.passed} passed, {count.failed} failed, "
            f"{count.skipped} skipped{f' ({note})' if note else ''}"
        )
    ran = {marker.stem for marker in reports.glob("*.ran")}
    for name in sorted(failed_steps - ran):
        print(f"  {name}: failed")
        total.failed += 1
    line = f"{total.passed} passed, {total.failed} failed"
    print(line + (f", {total.skipped} skipped" if total.skipped else ""))
    return 1 if total.failed or failed_steps else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
