#!/usr/bin/env bash
# The production server: gunicorn on loopback behind a TLS-terminating reverse proxy.
set -euo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/gunicorn tractatus_site.wsgi:application \
  --bind "${BIND:-127.0.0.1:9000}" \
  --workers "${WORKERS:-2}" \
  --access-logfile - \
  --max-requests 2000 --max-requests-jitter 200
