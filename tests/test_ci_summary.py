"""The closing line of `.ci/run`: every step's tests summed, failures never hidden."""

import importlib.util
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / ".ci" / "summarise.py"
spec = importlib.util.spec_from_file_location("ci_summarise", SCRIPT)
summarise = importlib.util.module_from_spec(spec)
sys.modules[spec.name] = summarise  # dataclasses look their module up there
spec.loader.exec_module(summarise)

PYTEST_REPORT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest" errors="{errors}" failures="{failures}"
 skipped="{skipped}" tests="{tests}"></testsuite></testsuites>"""
SCHEMATHESIS_REPORT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="schemathesis" tests="{tests}" failures="{failures}"
 errors="0"></testsuite></testsuites>"""


@pytest.fixture
def reports(tmp_path):
    return tmp_path


def _step(reports: Path, name: str, report: str | None = None, **counts) -> None:
    if report is not None:
        (reports / f"{name}.xml").write_text(report.format(**counts))
    (reports / f"{name}.ran").touch()


def _closing_line(reports: Path, capsys, *failed_steps: str) -> tuple[int, str]:
    code = summarise.main(["summarise", str(reports), *failed_steps])
    return code, capsys.readouterr().out.strip().splitlines()[-1]


def test_sums_every_steps_tests_on_the_last_line(reports, capsys):
    _step(reports, "sqlite", PYTEST_REPORT, tests=10, failures=0, errors=0, skipped=1)
    _step(reports, "fuzzing", SCHEMATHESIS_REPORT, tests=35, failures=0)

    code, line = _closing_line(reports, capsys)

    assert (code, line) == (0, "44 passed, 0 failed, 1 skipped")


def test_failures_and_errors_count_as_failed(reports, capsys):
    _step(reports, "sqlite", PYTEST_REPORT, tests=10, failures=2, errors=1, skipped=0)

    code, line = _closing_line(reports, capsys, "sqlite")

    assert (code, line) == (1, "7 passed, 3 failed")


def test_a_step_that_collected_no_test_fails(reports, capsys):
    _step(reports, "browser", PYTEST_REPORT, tests=0, failures=0, errors=0, skipped=0)

    code, line = _closing_line(reports, capsys)

    assert (code, line) == (1, "0 passed, 1 failed")


def test_a_step_that_failed_before_testing_counts_as_one_failure(reports, capsys):
    _step(reports, "sqlite")  # ruff failed: no report

    code, line = _closing_line(reports, capsys, "sqlite")

    assert (code, line) == (1, "0 passed, 1 failed")


def test_a_failed_step_with_green_tests_still_fails(reports, capsys):
    _step(reports, "fuzzing", SCHEMATHESIS_REPORT, tests=35, failures=0)

    code, line = _closing_line(reports, capsys, "fuzzing")

    assert (code, line) == (1, "35 passed, 1 failed")


def test_a_failed_set_up_step_counts(reports, capsys):
    _step(reports, "sqlite", PYTEST_REPORT, tests=3, failures=0, errors=0, skipped=0)

    code, line = _closing_line(reports, capsys, "system-packages")

    assert (code, line) == (1, "3 passed, 1 failed")
