"""The WSGI application gunicorn serves: Django behind the page cache's thin layer."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tractatus_site.settings")
django_application = get_wsgi_application()  # Django set up first: the page cache reads models

from .pagecache import PageCache  # noqa: E402

application = PageCache(django_application)
