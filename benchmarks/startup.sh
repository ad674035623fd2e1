#!/usr/bin/env bash
# Only the start-up rows of run.sh, quicker and with a "before": StartupApp in fresh JVMs, alternating without the
# starter, with an earlier build of it (optional) and with this build, on Java 17 and 25; prints the medians of the
# main thread's CPU time and the wall time, and of the paired differences against "without" with their middle half.
#
#   ./mvnw -q -o -pl benchmarks -am package -DskipTests       # first (package, never install)
#   benchmarks/startup.sh [N=12] [BEFORE_DIR]
#   STEPS=1 benchmarks/startup.sh [N] [BEFORE_DIR]            # StartupSteps instead: main-thread CPU per step,
#                                                              # per tokenpipe listener, for the tokenpipe beans
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
MAIN=io.tokenpipe.bench.StartupApp
[ -n "${STEPS:-}" ] && MAIN=io.tokenpipe.bench.StartupSteps
for round in $(seq "$N"); do
    for jdk in 17 25; do
        if [ "$jdk" = 17 ]; then java=(java); else java=("$JAVA_FFM" --enable-native-access=ALL-UNNAMED); fi
        for label in without before with; do
            case $label in without) cp=$WITHOUT ;; before) cp=$BEFORE ;; with) cp=$WITH ;; esac
            [ -z "$cp" ] && continue
            taskset -c 0,1 "${java[@]}" -cp "$cp" "$MAIN" "$label" > "$OUT/$jdk-$label-$round"
        done
    done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
# StartupApp prints: startup <label> <wall ms> <uptime ms> <tokenpipe beans> <native loaded> <main-thread CPU ms>;
# StartupSteps prints lines of <kind> <name> <ms> (and beans/total <ms>)
python3 - "$OUT" "$N" <<'PY'
import statistics, sys
out, n = sys.argv[1], int(sys.argv[2])
def read(path):
    values = {}
    for line in open(path):
        f = line.split()
        if f[0] == "startup":
            values.update({"wall": float(f[2]), "CPU": float(f[6]), "beans": f[4], "native": f[5]})
        elif len(f) >= 2:
            values[" ".join(f[:-1])] = float(f[-1])
    return values
for jdk in ("17", "25"):
    runs = {}
    for label in ("without", "before", "with"):
        try:
            runs[label] = [read(f"{out}/{jdk}-{label}-{r}") for r in range(1, n + 1)]
        except FileNotFoundError:
            pass
    print(f"Java {jdk}, {n} rounds")
    if "native" in runs["with"][0]:
        for label, v in runs.items():
            print(f"  {label:8} tokenpipe beans {sorted({x['beans'] for x in v})}, native loaded"
                  f" {sorted({x['native'] for x in v})}")
    keys = [k for k in runs["with"][0] if isinstance(runs["with"][0][k], float)]
    for key in keys:
        line = f"  {key:60}"
        for label, v in runs.items():
            line += f" {label} {statistics.median(x.get(key, 0.0) for x in v):7.1f}"
        for label in [k for k in runs if k != "without"]:
            d = [runs[label][r].get(key, 0.0) - runs["without"][r].get(key, 0.0) for r in range(n)]
            q = statistics.quantiles(d, n=4) if n > 1 else [d[0], d[0], d[0]]
            line += f" | {label}-without {statistics.median(d):+6.1f} ({q[0]:+.0f} to {q[2]:+.0f})"
        print(line)
PY
