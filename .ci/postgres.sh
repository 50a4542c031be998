#!/usr/bin/env bash
# Start a throwaway PostgreSQL on 127.0.0.1 (once) and print a DATABASE_URL for it.
# Needs Debian's postgresql package; as root it runs the server as the postgres user.
set -euo pipefail
port=${PGPORT:-55432}
dir=${PGDATA_DIR:-/tmp/tractatus-pg}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[[ -n $bin ]] || { echo "PostgreSQL is not installed (apt-get install postgresql)" >&2; exit 1; }
as=()
[[ $(id -u) == 0 ]] && as=(runuser -u postgres --)
if ! "${as[@]}" "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
  rm -rf "$dir" && mkdir -p "$dir"
  [[ $(id -u) == 0 ]] && chown postgres "$dir"
  "${as[@]}" "$bin/initdb" -D "$dir" -A trust -U postgres >/dev/null
  "${as[@]}" "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w \
    -o "-p $port -k /tmp -c listen_addresses=127.0.0.1" start >/dev/null
fi
if ! "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -Atc \
    "SELECT 1 FROM pg_database WHERE datname = 'tractatus'" | grep -q 1; then
  "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres tractatus
fi
echo "postgres://postgres@127.0.0.1:$port/tractatus"
