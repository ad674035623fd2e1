#!/usr/bin/env bash
# Only the start-up rows of run.sh, quicker and with a "before": StartupApp in fresh JVMs, alternating without the
# starter, with an earlier build of it (optional) and with this build, on Java 17 and the JDK 25 of run.sh; prints
# the medians of the main thread's CPU time and the wall time, and of the paired differences.
#
#   ./mvnw -q -o -pl benchmarks -am package -DskipTests       # first (package, never install)
#   benchmarks/startup.sh [N=12] [BEFORE_DIR]
#
# BEFORE_DIR holds the tokenpipe-core and tokenpipe-spring-boot-starter jars of the earlier build (copied from
# their target/ directories before the change); they replace this build's jars for the "before" runs.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-12}
BEFORE_DIR=${2:-}
BENCH=$PWD/benchmarks
JAVA_FFM=${JAVA_FFM:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
CP_FILE=$BENCH/target/benchmark.classpath
WITH=$BENCH/target/classes:$(cat "$CP_FILE")
WITHOUT=$BENCH/target/classes:$(tr ':' '\n' < "$CP_FILE" | grep -v -e '/tokenpipe-' -e '/jna/' | paste -sd:)
BEFORE=
if [ -n "$BEFORE_DIR" ]; then
    BEFORE=$BENCH/target/classes:$(tr ':' '\n' < "$CP_FILE" \
        | sed -e "s#.*/\(tokenpipe-core-[^/]*\.jar\)\$#$BEFORE_DIR/\1#" \
              -e "s#.*/\(tokenpipe-spring-boot-starter-[^/]*\.jar\)\$#$BEFORE_DIR/\1#" | paste -sd:)
fi
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
for _ in $(seq "$N"); do
    for jdk in 17 25; do
        if [ "$jdk" = 17 ]; then java=(java); else java=("$JAVA_FFM" --enable-native-access=ALL-UNNAMED); fi
        taskset -c 0,1 "${java[@]}" -cp "$WITHOUT" io.tokenpipe.bench.StartupApp without >> "$OUT/$jdk"
        if [ -n "$BEFORE" ]; then
            taskset -c 0,1 "${java[@]}" -cp "$BEFORE" io.tokenpipe.bench.StartupApp before >> "$OUT/$jdk"
        fi
        taskset -c 0,1 "${java[@]}" -cp "$WITH" io.tokenpipe.bench.StartupApp with >> "$OUT/$jdk"
    done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
# StartupApp prints: startup <label> <wall ms> <uptime ms> <tokenpipe beans> <native loaded> <main-thread CPU ms>
python3 - "$OUT" <<'PY'
import statistics, sys
for jdk in ("17", "25"):
    runs = {}
    for line in open(f"{sys.argv[1]}/{jdk}"):
        f = line.split()
        runs.setdefault(f[1], []).append((float(f[2]), float(f[6]), f[4], f[5]))
    n = min(len(v) for v in runs.values())
    print(f"Java {jdk}, {n} rounds")
    for label, v in runs.items():
        print(f"  {label:8} median wall {statistics.median(x[0] for x in v[:n]):7.1f} ms, main-thread CPU"
              f" {statistics.median(x[1] for x in v[:n]):7.1f} ms; tokenpipe beans {sorted({x[2] for x in v})},"
              f" native loaded {sorted({x[3] for x in v})}")
    for label in [k for k in runs if k != "without"]:
        for i, what in ((0, "wall"), (1, "CPU")):
            d = [runs[label][r][i] - runs["without"][r][i] for r in range(n)]
            q = statistics.quantiles(d, n=4)
            print(f"  {label} - without, {what:4}: median {statistics.median(d):+6.1f} ms, middle half"
                  f" {q[0]:+.0f} to {q[2]:+.0f}")
PY
