# Sourced by scripts/test and scripts/bench-commit: `start_services` starts a throwaway
# PostgreSQL 15 cluster (in a temporary folder, on a free loopback port) and an SMTP sink
# (aiosmtpd, scripts/smtp_sink.py, saving each message into a folder), exports
#   USER_IMPORT_TEST_POSTGRES_URL, USER_IMPORT_TEST_SMTP_ADDR, USER_IMPORT_TEST_SMTP_DIR
# and stops both (and removes the folder) when the sourcing script exits. It installs what is
# missing: postgresql-15 (apt-get) and aiosmtpd (pip, else apt-get python3-aiosmtpd), and, for
# the browser test of the web host, Debian's chromium and chromium-driver (apt-get).

start_services() {
  SERVICES="$(mktemp -d "${TMPDIR:-/tmp}/user-import-services.XXXXXX")"
  chmod 755 "$SERVICES"
  PGBIN=/usr/lib/postgresql/15/bin
  SMTP_PID=""
  stop_services() {
    if [ -n "$SMTP_PID" ]; then kill "$SMTP_PID" 2>/dev/null || true; wait "$SMTP_PID" 2>/dev/null || true; fi
    if [ -f "$SERVICES/pg/postmaster.pid" ]; then
      $AS_PG "$PGBIN/pg_ctl" -D "$SERVICES/pg" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$SERVICES"
  }
  trap stop_services EXIT
  free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
  }
  as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
  if [ ! -x "$PGBIN/initdb" ]; then
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 >/dev/null
  fi
  if [ "$(id -u)" = 0 ]; then
    # initdb refuses root: the cluster belongs to the postgres user.
    AS_PG="runuser -u postgres --"
    mkdir -p "$SERVICES/pg" "$SERVICES/sock"
    chown postgres "$SERVICES/pg" "$SERVICES/sock"
  else
    AS_PG=""
    mkdir -p "$SERVICES/sock"
  fi
  if ! command -v chromedriver >/dev/null 2>&1 || ! command -v chromium >/dev/null 2>&1; then
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
  fi
  PGPORT="$(free_port)"
  $AS_PG "$PGBIN/initdb" -D "$SERVICES/pg" -A trust -U postgres --no-sync >"$SERVICES/initdb.log" 2>&1 \
    || { cat "$SERVICES/initdb.log"; exit 1; }
  $AS_PG "$PGBIN/pg_ctl" -D "$SERVICES/pg" -l "$SERVICES/pg/server.log" -w \
    -o "-p $PGPORT -k $SERVICES/sock -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
    start >/dev/null || { cat "$SERVICES/pg/server.log"; exit 1; }
  export USER_IMPORT_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$PGPORT/postgres"
  SINK_PY=python3
  if ! python3 -c 'import aiosmtpd' 2>/dev/null; then
    if ! python3 -m pip install --quiet aiosmtpd 2>/dev/null; then
      as_root apt-get update -qq
      as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-aiosmtpd >/dev/null
      SINK_PY=/usr/bin/python3
    fi
  fi
  SMTPPORT="$(free_port)"
  mkdir -p "$SERVICES/mail"
  "$SINK_PY" scripts/smtp_sink.py 127.0.0.1 "$SMTPPORT" "$SERVICES/mail" >"$SERVICES/smtp.log" 2>&1 &
  SMTP_PID=$!
  local up=no
  for _ in $(seq 100); do
    if python3 -c "import socket; socket.create_connection(('127.0.0.1', $SMTPPORT), 1).close()" 2>/dev/null; then
      up=yes
      break
    fi
    sleep 0.1
  done
  if [ "$up" != yes ]; then
    echo "the SMTP sink did not start:" >&2
    cat "$SERVICES/smtp.log" >&2
    exit 1
  fi
  export USER_IMPORT_TEST_SMTP_ADDR="127.0.0.1:$SMTPPORT"
  export USER_IMPORT_TEST_SMTP_DIR="$SERVICES/mail"
  echo "PostgreSQL on 127.0.0.1:$PGPORT, SMTP on 127.0.0.1:$SMTPPORT ($SERVICES)"
}
