#!/usr/bin/env bash
# Start-up of the jnet command: median wall time of `./jnet --version` and `./jnet netns list`
# (warm build, archive trained), with `java -version` as the JVM's own floor. Needs hyperfine
# (apt-get install hyperfine). RUNS=30 by default. Run on an idle machine; as root, netns list
# reads /run/netns (an empty list is fine).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-30}
command -v hyperfine >/dev/null || { echo "startup-bench: needs hyperfine (apt-get install hyperfine)" >&2; exit 1; }
./jnet --version >/dev/null   # build and train the archive if needed
out=$(mktemp)
trap 'rm -f "$out"' EXIT
hyperfine -N --warmup 5 --runs "$runs" --export-json "$out" \
  'java -Xshare:auto -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -version' './jnet --version' './jnet netns list' >/dev/null 2>&1
python3 - "$out" <<'PY'
import json, statistics, sys
res = json.load(open(sys.argv[1]))["results"]
print("| command | median ms | min ms | max ms |")
print("|---|---:|---:|---:|")
for r in res:
    t = r["times"]
    print(f"| `{r['command']}` | {statistics.median(t)*1000:.1f} | {min(t)*1000:.1f} | {max(t)*1000:.1f} |")
PY
