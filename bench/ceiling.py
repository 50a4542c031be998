"""The ceiling for a page served by Python: a trivial WSGI app answering fixed bytes.

`python -m bench.load` captures the site's home page (status, headers, body) into the file
BENCH_CEILING_PAGE names and serves this app under the same gunicorn, so the page cache's
figures can be read as a fraction of what no Python page can beat.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

_page = json.loads(Path(os.environ["BENCH_CEILING_PAGE"]).read_text())
STATUS = _page["status"]
HEADERS = [tuple(header) for header in _page["headers"]]
BODY = _page["body"].encode("latin-1")


def application(environ, start_response):
    start_response(STATUS, list(HEADERS))
    return [BODY]
