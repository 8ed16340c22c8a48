#!/bin/sh
# Compiles one C program (jnet-helper, jnet-sandbox) with the system C compiler; called by the Maven build (native/pom.xml).
# usage: build.sh SOURCE OUTPUT [COPY...]; JNET_VERSION (the project's version) becomes the C string JNET_VERSION,
# JNET_BUILD_ID (else the content of the file JNET_BUILD_ID_FILE, written by build-id.sh) the C string JNET_BUILD_ID
set -eu
src=$1; out=$2; shift 2
cc=${CC:-cc}
if ! command -v "$cc" >/dev/null 2>&1; then
  echo "jnet: no C compiler found ('$cc'): install gcc (apt-get install gcc) or set CC" >&2
  exit 1
fi
mkdir -p "$(dirname "$out")"
id=${JNET_BUILD_ID:-}
if [ -z "$id" ] && [ -n "${JNET_BUILD_ID_FILE:-}" ]; then
  id=$(cat "$JNET_BUILD_ID_FILE")
fi
"$cc" -std=gnu11 -Wall -Wextra -Werror -O2 -D_FORTIFY_SOURCE=2 -fstack-protector-strong \
  -DJNET_VERSION="\"${JNET_VERSION:-unknown}\"" ${id:+-DJNET_BUILD_ID="\"$id\""} -o "$out" "$src"
for copy in "$@"; do
  mkdir -p "$(dirname "$copy")"
  cp "$out" "$copy"
done
