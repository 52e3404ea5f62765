"""Which system libraries this machine has, checked before `make run` and `make test`.

Everything the app needs comes from PyPI (`requirements.txt`) except what
WeasyPrint, the PDF library, loads from the system:

- required: Pango (``libpango-1.0-0``, ``libpangoft2-1.0-0``) and at least one
  font (``fonts-dejavu-core``). Without them no PDF can be made; every other
  page and export works, and the PDF export answers 503 with the reason.
- optional: HarfBuzz-Subset (``libharfbuzz-subset0``). Without it WeasyPrint
  subsets fonts with fontTools instead: the same PDF, made more slowly.
- optional: cairo (``libcairo2``), which CairoSVG loads to draw the charts of
  the ODT and DOCX reports. Without it those two formats fail with the reason;
  every other export works.

Run as ``python -m config.system_libraries``: it prints one clear message with
the command to install what is missing, and exits 1 only when a required
library is missing. It imports WeasyPrint, so it checks what the app will
actually load, not a guess from file names.
"""

from __future__ import annotations

import contextlib
import io
import shutil
import subprocess
import sys
import warnings

APT_REQUIRED = "libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core"
APT_OPTIONAL = "libharfbuzz-subset0 libcairo2"
HARFBUZZ_SUBSET_WARNING = "HarfBuzz-Subset will be required"

INSTALL = f"""\
  Debian/Ubuntu:  sudo apt-get install {APT_REQUIRED} {APT_OPTIONAL}
  macOS:          brew install pango cairo   (HarfBuzz comes with its subsetter)"""


def cairo_missing() -> bool:
    """True when CairoSVG cannot load cairo, so ODT and DOCX reports cannot be made."""
    try:
        import cairosvg  # noqa: F401
    except OSError:
        return True
    return False


def harfbuzz_subset_missing(caught: list[warnings.WarningMessage]) -> bool:
    """True when WeasyPrint warned, on import, that it runs without HarfBuzz-Subset."""
    return any(HARFBUZZ_SUBSET_WARNING in str(w.message) for w in caught)


def _has_a_font() -> bool:
    if shutil.which("fc-list") is None:
        return True  # fontconfig's tool is absent, not necessarily the fonts
    listed = subprocess.run(["fc-list"], capture_output=True, text=True, check=False)
    return bool(listed.stdout.strip())


def main() -> int:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            # WeasyPrint prints its own banner when a library is missing.
            with contextlib.redirect_stdout(io.StringIO()):
                import weasyprint  # noqa: F401
        except OSError as exc:
            print(
                "\nPDF reports need Pango, a system library this machine lacks "
                f"({exc}).\nInstall it, then run make again:\n{INSTALL}\n",
                file=sys.stderr,
            )
            return 1
    if not _has_a_font():
        print(
            f"\nPDF reports need at least one font; none is installed.\n{INSTALL}\n",
            file=sys.stderr,
        )
        return 1
    if harfbuzz_subset_missing(caught):
        print(
            "Note: HarfBuzz-Subset (optional) is missing; PDF reports work but "
            f"take longer.\n{INSTALL}"
        )
    if cairo_missing():
        print(
            "Note: cairo (optional) is missing; ODT and DOCX reports cannot be "
            f"made, every other export works.\n{INSTALL}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
