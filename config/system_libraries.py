"""Which system libraries this machine has, checked before `make run` and `make test`.

Everything the app needs comes from PyPI (`requirements.txt`) except what
WeasyPrint, the PDF library, loads from the system:

- required: Pango (``libpango-1.0-0``, ``libpangoft2-1.0-0``) and at least one
  font (``fonts-dejavu-core``). Without them no PDF can be made; every other
  page and export works, and the PDF export answers 503 with the reason.
- optional: HarfBuzz-Subset (``libharfbuzz-subset0``). Without it WeasyPrint
  subsets fonts with fontTools instead: the same PDF, made more slowly.

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
APT_OPTIONAL = "libharfbuzz-subset0"
HARFBUZZ_SUBSET_WARNING = "HarfBuzz-Subset will be required"

INSTALL = f"""\
  Debian/Ubuntu:  sudo apt-get install {APT_REQUIRED} {APT_OPTIONAL}
  macOS:          brew install pango   (brings HarfBuzz with its subsetter)"""


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
    return 0


if __name__ == "__main__":
    sys.exit(main())
