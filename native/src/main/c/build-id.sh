#!/bin/sh
# Writes this build's identity: the first 16 hex digits of a SHA-256 over the main sources and
# poms of every module (names and contents), so that the C front end (jnet-slirp4netns, which
# gets it compiled in) and the jnet usernetd it talks to (which reads it from the jnet-native jar)
# agree only when they come from the same sources. Called by the Maven build (native/pom.xml).
# usage: build-id.sh ROOT OUTPUT
set -eu
root=$1; out=$2
cd "$root"
id=$(find pom.xml ./*/pom.xml ./*/src/main -type f ! -name '*~' -print | LC_ALL=C sort | tr '\n' '\0' \
  | xargs -0 sha256sum -- | sha256sum | cut -c1-16)
mkdir -p "$(dirname "$out")"
# the same file is not rewritten: the jar and the front end stay as they were when nothing changed
if [ ! -f "$out" ] || [ "$(cat "$out")" != "$id" ]; then
  printf '%s\n' "$id" > "$out"
fi
