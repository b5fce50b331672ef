#!/usr/bin/env bash
# Makes sure PostgreSQL's server binaries (initdb, pg_ctl) are on this machine: the verify
# tests start their own throw-away server with them (test/support/postgres.ts). Idempotent:
# installs Debian's `postgresql` package only when no binaries are found in PATH or
# /usr/lib/postgresql/*/bin. Prints where the binaries are.
set -euo pipefail

find_bindir() {
    local dir
    local -a dirs
    IFS=: read -r -a dirs <<< "${PATH:-}"
    # Debian's versioned directories, newest first.
    while IFS= read -r dir; do dirs+=("$dir"); done < <(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r)
    for dir in "${dirs[@]}"; do
        if [ -n "$dir" ] && [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
            echo "$dir"
            return 0
        fi
    done
    return 1
}

if ! bindir="$(find_bindir)"; then
    if ! command -v apt-get > /dev/null; then
        echo "ensure-postgres: no initdb/pg_ctl found and no apt-get here: install PostgreSQL's server binaries by hand" >&2
        exit 1
    fi
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        if ! command -v sudo > /dev/null; then
            echo "ensure-postgres: no initdb/pg_ctl found; run as root (or with sudo) to install Debian's postgresql package" >&2
            exit 1
        fi
        sudo="sudo"
    fi
    echo "ensure-postgres: no initdb/pg_ctl found; installing Debian's postgresql package"
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql
    # The tests start their own server; one the package may have started is not needed.
    if command -v pg_lsclusters > /dev/null; then
        pg_lsclusters --no-header 2> /dev/null | while read -r version name _port status _rest; do
            if [ "$status" = "online" ]; then $sudo pg_ctlcluster "$version" "$name" stop || true; fi
        done
    fi
    if ! bindir="$(find_bindir)"; then
        echo "ensure-postgres: postgresql installed but initdb/pg_ctl still not found" >&2
        exit 1
    fi
fi

# initdb refuses to run as root: as root the tests run it as the `postgres` system user, which
# Debian's package creates. Make sure it exists where the binaries came from elsewhere.
if [ "$(id -u)" -eq 0 ] && ! id -u postgres > /dev/null 2>&1; then
    echo "ensure-postgres: creating the postgres system user (initdb cannot run as root)"
    useradd --system --user-group --home-dir /var/lib/postgresql --shell /bin/sh postgres
fi

echo "ensure-postgres: PostgreSQL server binaries in $bindir ($("$bindir/pg_ctl" --version))"
