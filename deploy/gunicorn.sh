#!/usr/bin/env bash
# The production server: gunicorn on loopback behind a TLS-terminating reverse proxy.
# Gunicorn believes no forwarded header itself (by default it takes X-Forwarded-Proto from any
# loopback client): Django alone decides, and only when configured to, with
# SECURE_PROXY_SSL_HEADER (the scheme) and TRUST_X_FORWARDED_FOR (the client's address).
set -euo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/gunicorn tractatus_site.wsgi:application \
  --config deploy/gunicorn.conf.py \
  --bind "${BIND:-127.0.0.1:9000}" \
  --workers "${WORKERS:-2}" \
  --access-logfile - \
  --forwarded-allow-ips "" \
  --max-requests 2000 --max-requests-jitter 200
