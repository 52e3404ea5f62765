"""The site's URLs plus the references the web benchmarks compare against.

``/bench/raw/<name>/`` answers a body computed before the run, through the
same middleware as every page, with no database work: ``<name>.html`` as it
is, ``<name>.json`` decoded once and answered as a ``JsonResponse`` (so the
reference pays the JSON encoding, as DRF does). The bodies are files in
``BENCH_RAW_DIR``. Only ``bench/wsgi.py`` and ``bench/web.py`` use these URLs.
"""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path

from django.http import Http404, HttpResponse, JsonResponse
from django.urls import path

from config.urls import urlpatterns as site


@cache
def _body(name: str) -> tuple[str, object]:
    folder = Path(os.environ["BENCH_RAW_DIR"])
    for kind in ("html", "json"):
        file = folder / f"{name}.{kind}"
        if file.exists():
            text = file.read_text(encoding="utf-8")
            return kind, json.loads(text) if kind == "json" else text
    raise Http404(name)


def raw(request, name: str):
    kind, body = _body(name)
    if kind == "json":
        return JsonResponse(body, safe=False)
    return HttpResponse(body)


urlpatterns = [path("bench/raw/<slug:name>/", raw), *site]
