"""The system libraries WeasyPrint loads: required, optional, and what is said.

Each test runs Python in a subprocess where loading a named library fails as
it would on a machine without it, whatever this machine has installed, so
both set-ups are tested on every run.
"""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

WITHOUT = """
import cffi

_dlopen = cffi.FFI.dlopen

def dlopen(self, name, *args, **kwargs):
    if {missing!r} in str(name):
        raise OSError(f"cannot load library {{name!r}}")
    return _dlopen(self, name, *args, **kwargs)

cffi.FFI.dlopen = dlopen
"""


def _run_without(library: str, code: str) -> subprocess.CompletedProcess:
    script = WITHOUT.format(missing=library) + textwrap.dedent(code)
    return subprocess.run(
        [sys.executable, "-W", "error", "-c", script],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"},
        timeout=120,
    )


RENDER_A_PDF = """
import django
django.setup()
from procurement.exports.pdf import load_weasyprint
pdf = load_weasyprint().HTML(string="<h1>Scorecard</h1>").write_pdf()
print(pdf[:5].decode())
"""

CHECK = """
import sys
from config.system_libraries import main
sys.exit(main())
"""


def test_pdf_renders_without_harfbuzz_subset_with_warnings_as_errors():
    result = _run_without("harfbuzz-subset", RENDER_A_PDF)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "%PDF-"


def test_system_check_passes_with_a_note_without_harfbuzz_subset():
    result = _run_without("harfbuzz-subset", CHECK)

    assert result.returncode == 0, result.stderr
    assert "HarfBuzz-Subset (optional) is missing" in result.stdout
    assert "apt-get install" in result.stdout


def test_system_check_fails_with_one_clear_message_without_pango():
    result = _run_without("pango", CHECK)

    assert result.returncode == 1
    assert "PDF reports need Pango" in result.stderr
    assert "sudo apt-get install libpango-1.0-0" in result.stderr
    assert "brew install pango" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert "WeasyPrint could not import" not in result.stdout


def test_pdf_export_is_unavailable_not_an_error_without_pango():
    result = _run_without(
        "pango",
        """
        import django
        django.setup()
        from procurement.exports.content import ExportUnavailable
        from procurement.exports.pdf import load_weasyprint
        try:
            load_weasyprint()
        except ExportUnavailable as exc:
            print("unavailable:", exc)
        """,
    )

    assert result.returncode == 0, result.stderr
    assert "unavailable: PDF export is not available on this server" in result.stdout


def test_system_check_passes_with_a_note_without_cairo():
    result = _run_without("cairo", CHECK)

    assert result.returncode == 0, result.stderr
    assert "cairo (optional) is missing" in result.stdout
    assert "libcairo2" in result.stdout
