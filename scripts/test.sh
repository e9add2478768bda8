#!/usr/bin/env bash
# Run the whole pytest suite on SQLite and PostgreSQL: scripts/test.sh [pytest args...]
#
# PostgreSQL comes from SSP_TEST_POSTGRES_URL; when unset, a local throwaway server is started
# with scripts/postgres.sh (always in CI, where it may install PostgreSQL; elsewhere only when the
# PostgreSQL binaries are already installed). pytest's exit 5 ("no tests collected") is not an error.
set -uo pipefail
cd "$(dirname "$0")/.."

PYTEST=.venv/bin/pytest
[[ -x "$PYTEST" ]] || { echo "test.sh: $PYTEST not found; run 'make install' first" >&2; exit 1; }

scripts/system-deps.sh || echo "test.sh: note: could not install system packages" >&2

if [[ -z "${SSP_TEST_POSTGRES_URL:-}" ]]; then
    if [[ "${CI:-}" == "true" ]] || compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
        if out=$(scripts/postgres.sh); then
            eval "$(tail -n 1 <<<"$out")"
            export SSP_TEST_POSTGRES_URL
        elif [[ "${CI:-}" == "true" ]]; then
            echo "test.sh: could not start PostgreSQL, which CI requires" >&2
            exit 1
        else
            echo "test.sh: note: could not start local PostgreSQL; PostgreSQL tests are skipped" >&2
        fi
    else
        echo "test.sh: note: SSP_TEST_POSTGRES_URL unset and PostgreSQL not installed;" \
            "PostgreSQL tests are skipped (run scripts/postgres.sh to enable them)" >&2
    fi
fi

"$PYTEST" "$@"
rc=$?
if [[ $rc -eq 5 ]]; then
    echo "test.sh: no tests collected (pytest exit 5), treated as success"
    exit 0
fi
exit $rc
