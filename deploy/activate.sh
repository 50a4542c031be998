#!/usr/bin/env bash
# Activates a shipped release on the machine it runs on; deploy/deploy.sh runs it (docs/deploy.md).
#
#   deploy/activate.sh BASE RELEASE     e.g. /srv/tractatus 1a2b3c4d5e6f
#
# venv, migrate, collectstatic, check --deploy, switch BASE/current, restart, smoke check; when
# the smoke check fails, BASE/current goes back to the previous release, which is restarted.
# Every step is safe to repeat. Settings: RESTART_CMD, HEALTHZ_URL, HEALTHZ_TIMEOUT, PYTHON,
# KEEP_RELEASES, DEPLOY_VENV (tests/CI: reuse an existing venv instead of building one).
set -euo pipefail

base=$1
name=$2
release="$base/releases/$name"
restart_cmd=${RESTART_CMD:-systemctl restart tractatus}
healthz_url=${HEALTHZ_URL:-http://127.0.0.1:9000/healthz}
healthz_timeout=${HEALTHZ_TIMEOUT:-30}
python=${PYTHON:-python3}
keep=${KEEP_RELEASES:-5}

say() { printf '==> %s\n' "$*"; }
die() {
  printf 'deploy: %s\n' "$*" >&2
  exit 1
}

[[ -d $release ]] || die "no release at $release"
[[ -f $base/.env ]] || die "$base/.env is missing: write it first (see .env.example)"
# Their defaults point inside the release directory, so the next release would lose them.
for setting in DATABASE_URL MEDIA_ROOT; do
  grep -Eq "^[[:space:]]*(export[[:space:]]+)?$setting=[^[:space:]]" "$base/.env" ||
    die "$base/.env must set $setting to a place outside the releases"
done
if [[ -z ${RESTART_CMD:-} ]] && ! command -v systemctl >/dev/null; then
  die "no systemctl here: set RESTART_CMD to the command that restarts the site"
fi

# One deploy at a time per target.
exec 9>"$base/.deploy.lock"
flock -n 9 || die "another deploy to $base is running"

if [[ -n ${DEPLOY_VENV:-} ]]; then
  say "venv: reusing $DEPLOY_VENV"
  ln -sfn "$DEPLOY_VENV" "$release/.venv"
elif [[ ! -f $release/.venv/.installed ]]; then
  say "venv: installing the release's dependencies"
  rm -rf "$release/.venv"
  "$python" -m venv "$release/.venv"
  # Exactly the locked versions, each file checked against its hash (README "Dependencies").
  "$release/.venv/bin/python" -m pip install --quiet --require-hashes -r "$release/requirements.txt"
  touch "$release/.venv/.installed"
else
  say "venv: already installed"
fi
# Settings read .env beside manage.py: every process of the release, cron and shells included,
# sees the operator's file, and only that file (no variables from whoever runs the deploy).
ln -sfn ../../.env "$release/.env"

manage() {
  (cd "$release" && env -i PATH="$PATH" HOME="${HOME:-/}" LANG=C.UTF-8 \
    .venv/bin/python manage.py "$@")
}
say "migrate"
manage migrate --noinput
say "collectstatic"
manage collectstatic --noinput --verbosity 0
say "check --deploy"
manage check --deploy

switch() {
  ln -sfn "$1" "$base/.current.new"
  mv -T "$base/.current.new" "$base/current" # rename(2): no moment without a current
}
restart() {
  say "restart: $restart_cmd"
  # 9>&-: a server the command leaves running must not hold the deploy lock.
  (cd "$base/current" && bash -c "$restart_cmd" 9>&-) || echo "deploy: the restart failed" >&2
}
healthy() {
  say "smoke check $healthz_url (up to ${healthz_timeout}s)"
  "$python" - "$healthz_url" "$healthz_timeout" <<'PY'
import sys
import time
import urllib.request

url, patience = sys.argv[1], float(sys.argv[2])
deadline = time.monotonic() + patience
while True:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            if response.status == 200:
                sys.exit(0)
    except OSError:
        pass  # not up yet, or answering an error: ask again until the deadline
    if time.monotonic() > deadline:
        sys.exit(1)
    time.sleep(0.5)
PY
}

wanted="releases/$name"
live=$(readlink "$base/current" 2>/dev/null || true)
if [[ $live != "$wanted" ]]; then
  if [[ -n $live ]]; then
    ln -sfn "$live" "$base/.previous.new"
    mv -T "$base/.previous.new" "$base/previous"
  fi
  say "switch current to $wanted"
  switch "$wanted"
fi
previous=$(readlink "$base/previous" 2>/dev/null || true)

restart
if healthy; then
  say "$name is live"
  # Old releases go, never the live one or the one a rollback would return to.
  find "$base/releases" -mindepth 1 -maxdepth 1 -type d ! -name '*.partial' -printf '%T@ %f\n' |
    sort -rn | tail -n +$((keep + 1)) | while read -r _ old; do
      if [[ releases/$old != "$wanted" && releases/$old != "$previous" ]]; then
        say "remove old release $old"
        rm -rf -- "${base:?}/releases/$old"
      fi
    done
  exit 0
fi

echo "deploy: $name failed its smoke check" >&2
if [[ -z $previous || $previous == "$wanted" ]]; then
  die "no previous release to roll back to; $name stays in place"
fi
say "roll back to $previous"
switch "$previous"
restart
healthy || echo "deploy: the previous release fails its smoke check too" >&2
die "rolled back to $previous; $name was not deployed"
