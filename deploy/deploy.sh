#!/usr/bin/env bash
# One-command deploy (docs/deploy.md): ship the committed tree to TARGET, then activate it there.
#
#   deploy/deploy.sh [--yes] user@host:/srv/tractatus   over SSH, with the operator's own agent/keys
#   deploy/deploy.sh [--yes] local:/srv/tractatus       on this machine
#
# Prints its plan and asks before acting unless --yes. Ships `git archive HEAD` only: what is not
# committed is not deployed. Settings come from <path>/.env on the target, which the operator
# writes; nothing secret is shipped or written. Everything after shipping is
# deploy/activate.sh of the shipped release, run on the target.
set -euo pipefail

usage() {
  echo "usage: deploy/deploy.sh [--yes] user@host:/path | local:/path" >&2
  exit 2
}

assume_yes=0
target=""
for arg in "$@"; do
  case "$arg" in
    -y | --yes) assume_yes=1 ;;
    -*) usage ;;
    *) [[ -z $target ]] || usage; target=$arg ;;
  esac
done

case "$target" in
  local:/*) host="" base=${target#local:} ;;
  ?*:/*) host=${target%%:*} base=${target#*:} ;;
  *) usage ;;
esac
base=${base%/}
[[ -n $base ]] || usage

repo=$(cd "$(dirname "$0")/.." && pwd)
if ! git -C "$repo" rev-parse -q --verify HEAD >/dev/null; then
  echo "deploy: $repo has no commit to ship" >&2
  exit 1
fi
release=$(git -C "$repo" rev-parse --short=12 HEAD)

# Settings the target side reads; forwarded over SSH only when set here.
FORWARDED=(RESTART_CMD HEALTHZ_URL HEALTHZ_TIMEOUT PYTHON KEEP_RELEASES DEPLOY_VENV)

echo "Deploy commit $release ($(git -C "$repo" log -1 --format=%s HEAD))"
echo "  to ${host:-this machine}: $base"
if [[ -n $(git -C "$repo" status --porcelain --untracked-files=no) ]]; then
  echo "  note: uncommitted changes are NOT deployed; commit them first to ship them"
fi
venv="a new one with the dependencies, built once per release"
[[ -z ${DEPLOY_VENV:-} ]] || venv="reuse $DEPLOY_VENV"
cat <<PLAN
Steps:
  1. ship the committed tree (git archive HEAD) to $base/releases/$release (kept if already there)
  2. the release's venv: $venv
  3. manage.py migrate, collectstatic, check --deploy, with the settings in $base/.env
  4. switch $base/current to the release (atomically; the one it replaces becomes "previous")
  5. restart: ${RESTART_CMD:-systemctl restart tractatus}
  6. smoke check ${HEALTHZ_URL:-http://127.0.0.1:9000/healthz}; if it fails, switch back to the previous release and restart it
PLAN

if ((!assume_yes)); then
  # `read` fails without a terminal or input: no answer is a no.
  if ! read -r -p "Proceed? [y/N] " answer || [[ ! $answer =~ ^[Yy]([Ee][Ss])?$ ]]; then
    echo "deploy: nothing done (answer y, or pass --yes to deploy without asking)" >&2
    exit 1
  fi
fi

# Unpacks the archive on stdin into releases/<release>; an existing release is complete (it is
# only ever renamed into place whole), so re-running ships nothing twice.
SHIP='set -eu
releases="$1/releases"; mkdir -p "$releases"
if [ -d "$releases/$2" ]; then cat >/dev/null; exit 0; fi
rm -rf "$releases/$2.partial"; mkdir "$releases/$2.partial"
tar -x -C "$releases/$2.partial"
mv "$releases/$2.partial" "$releases/$2"'

echo "==> ship $release"
if [[ -z $host ]]; then
  git -C "$repo" archive --format=tar HEAD | bash -c "$SHIP" ship "$base" "$release"
  bash "$base/releases/$release/deploy/activate.sh" "$base" "$release"
else
  git -C "$repo" archive --format=tar HEAD |
    ssh "$host" "bash -c $(printf %q "$SHIP") ship $(printf %q "$base") $release"
  settings=()
  for name in "${FORWARDED[@]}"; do
    [[ -z ${!name+set} ]] || settings+=("$(printf %q "$name=${!name}")")
  done
  ssh "$host" "env ${settings[*]} bash $(printf %q "$base/releases/$release/deploy/activate.sh")" \
    "$(printf %q "$base")" "$release"
fi
