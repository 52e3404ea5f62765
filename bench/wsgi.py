"""The WSGI application the web benchmarks serve with gunicorn.

The site as ``config.wsgi`` serves it, with ``bench/urls.py`` as URL
configuration (the site plus the reference bodies), on the benchmark's own
database (``bench/web.py`` passes the environment ``bench/setup.py`` set).
"""

import os
import warnings

from django.core.wsgi import get_wsgi_application

from bench.setup import adjust_settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# WhiteNoise notes that collectstatic never ran: the bench needs no files.
warnings.filterwarnings("ignore", message="No directory at")
application = get_wsgi_application()
adjust_settings()
