#!/usr/bin/env bash
# jmh.sh - JMH microbenchmarks of the usernet hot path, run briefly, then the copy count.
#
#   ./bench/jmh.sh                       # all benchmarks, -wi 2 -i 3 -f 1 (about 3 minutes)
#   ./bench/jmh.sh ChecksumBench -p size=1500
#   JMH_ARGS="-wi 5 -i 5 -f 2" ./bench/jmh.sh TcpSegmentBench
#
# Arguments go to JMH (a benchmark regex and options). Builds the bench module first when its
# classes are missing or older than a source of bench or usernet (offline; MVN_ARGS= to allow
# downloads). No root needed; the tap loop runs over a socket pair.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
list=$here/target/classes/META-INF/BenchmarkList
if [ ! -f "$list" ] || [ -n "$(find "$here/src" "$repo/usernet/src/main" "$here/pom.xml" -newer "$list" -type f | head -1)" ]; then
  echo "jmh.sh: building bench (mvn -pl bench -am package)..." >&2
  (cd "$repo" && mvn -B ${MVN_ARGS--o} -q -pl bench -am package -DskipTests) >&2
fi
cp="$here/target/classes:$here/target/lib/*"
java=${JAVA:-java}
# -foe: a failing benchmark fails the run; -rf text keeps the summary table readable in a log
# shellcheck disable=SC2086
"$java" -cp "$cp" org.openjdk.jmh.Main ${JMH_ARGS:--wi 2 -i 3 -f 1 -w 1s -r 1s} -foe true "${@:-dev.jnet.bench.usernet}"
echo
echo "# user-space copies per payload byte (instrumented TcpStack ends; kernel copies not counted)"
"$java" -cp "$cp" dev.jnet.bench.usernet.CopyCount 2000
