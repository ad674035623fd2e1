#!/usr/bin/env bash
# Builds and runs every tokenpipe benchmark beside java.nio.channels.Pipe and the C limit, pinned with
# taskset, and prints two tables with the ratios and the targets: Java 17 (the JNA backend, against bare JNA)
# and the newest JDK 22+ (the FFM backend, against bare FFM downcalls). About 12 minutes on 2 cores.
#
#   benchmarks/run.sh                        # everything
#   REPS=1 benchmarks/run.sh                 # quicker, noisier (rounds of C + JMH per benchmark; default 3)
#   JAVA_FFM=/path/to/jdk/bin/java run.sh    # another JDK 22+ for the FFM rows (default: newest in /usr/lib/jvm)
#   FFM_ONLY=1 benchmarks/run.sh             # only the FFM rows (and C), for a quick look
#
# Results (raw JMH JSON, C output, logs) land in benchmarks/target/results/.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BENCH=$ROOT/benchmarks
OUT=$BENCH/target/results
REPS=${REPS:-3}
STARTS=${STARTS:-15}
FIRST_USES=${FIRST_USES:-7}
JMH_ITERATIONS=${JMH_ITERATIONS:--wi 2 -w 1s -i 3 -r 1s}
FFM_ONLY=${FFM_ONLY:-}
# The JDK of the FFM rows: the newest JDK 22+ under /usr/lib/jvm, unless JAVA_FFM names a java launcher.
newest_java() {
    local best="" best_feature=0 home feature
    for home in /usr/lib/jvm/*/; do
        feature=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$home/release" 2>/dev/null || true)
        if [ -n "$feature" ] && [ "$feature" -gt "$best_feature" ] && [ -x "$home/bin/java" ]; then
            best="$home/bin/java" best_feature=$feature
        fi
    done
    [ "$best_feature" -ge 22 ] && echo "$best"
}
JAVA_FFM=${JAVA_FFM:-$(newest_java || true)}
if [ -z "$JAVA_FFM" ]; then
    echo "run.sh: no JDK 22 or later under /usr/lib/jvm for the FFM rows; set JAVA_FFM=/path/to/bin/java" >&2
    exit 1
fi
# Native access on, as an application would set it: no warning, no difference in speed. (JMH's own warnings about
# sun.misc.Unsafe on JDK 24+ go to the JMH logs.)
FFM_JAVA=("$JAVA_FFM" --enable-native-access=ALL-UNNAMED)
rm -rf "$OUT"
mkdir -p "$OUT"

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
load() { cut -d' ' -f1-3 /proc/loadavg; }
# busy and steal jiffies of all CPUs, to tell afterwards how much CPU other processes took during the run
cpu_jiffies() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8, $9 }' /proc/stat; }

log "load average before: $(load)"
echo "load_before $(load)" > "$OUT/machine.txt"
START_SECONDS=$(date +%s.%N)
read -r BUSY_BEFORE STEAL_BEFORE <<< "$(cpu_jiffies)"

log "building (mvnw package, gcc)"
./mvnw -B -q -pl benchmarks -am package -DskipTests
gcc -O2 -Wall -pthread -o "$OUT/tokenpipe_ref" "$BENCH/src/main/c/tokenpipe_ref.c"
CP=$BENCH/target/classes:$(cat "$BENCH/target/benchmark.classpath")

# Same-CPU figures run on CPU 0 only: cross-CPU wake-ups on a VM measure the hypervisor, not the code.
# Throughput runs the writer and the reader on both CPUs, as an application would.
#
# The machine is a VM whose speed drifts by tens of percent over minutes (its neighbours), so C and Java
# are interleaved: for each row, REPS times: C, JMH (tokenpipe, nio, bare JNA), C. Each JMH block is
# compared with the C runs just before and after it; report.py takes the median of those ratios.
ROWS=("pair:0:PairBenchmark" "pingpong:0:PingPongBenchmark" "create:0:CreateCloseBenchmark"
        "throughput:0,1:ThroughputBenchmark")
run_c() { # rep row cpus
    TP_ROUNDS=5 taskset -c "$3" "$OUT/tokenpipe_ref" "$2" | sed "s/^/c $1 /" >> "$OUT/c.txt"
    if [ "$2" = pair ] || [ "$2" = create ]; then # single-threaded only without the idle thread
        TP_IDLE_THREAD=1 TP_ROUNDS=5 taskset -c "$3" "$OUT/tokenpipe_ref" "$2" | sed "s/^/c $1 /" >> "$OUT/c.txt"
    fi
}
log "C: waiting strategies for the same-CPU ping-pong"
taskset -c 0 "$OUT/tokenpipe_ref" pingpong-poll pingpong-nb-poll | sed 's/^/c 0 /' >> "$OUT/c.txt"
for rep in $(seq "$REPS"); do
    for row in "${ROWS[@]}"; do
        IFS=: read -r name cpus bench <<< "$row"
        log "round $rep of $REPS: $name (C, JMH, C on CPU $cpus)"
        run_c "$rep" "$name" "$cpus"
        if [ -z "$FFM_ONLY" ]; then
            # shellcheck disable=SC2086
            taskset -c "$cpus" java -cp "$CP" org.openjdk.jmh.Main -f 1 $JMH_ITERATIONS -rf json \
                -rff "$OUT/jmh-$name-$rep.json" -e ffmDirect "$bench" > "$OUT/jmh-$name-$rep.log"
        fi
        # the FFM rows: tokenpipe (FFM by default on 22+), nio and bare FFM downcalls on the newer JDK
        # shellcheck disable=SC2086
        taskset -c "$cpus" "${FFM_JAVA[@]}" -cp "$CP" org.openjdk.jmh.Main -f 1 $JMH_ITERATIONS -rf json \
            -rff "$OUT/ffm-jmh-$name-$rep.json" -e jnaDirect "$bench" > "$OUT/ffm-jmh-$name-$rep.log" 2>&1
        run_c "$rep" "$name" "$cpus"
    done
done

log "pieces: what a JNA call, an FFM downcall, a JNI call and tokenpipe's own steps cost alone"
TP_ROUNDS=5 taskset -c 0 "$OUT/tokenpipe_ref" getppid | sed 's/^/c 0 /' >> "$OUT/c.txt"
if [ -z "$FFM_ONLY" ]; then
    taskset -c 0 java -cp "$CP" org.openjdk.jmh.Main -f 1 -wi 2 -w 1s -i 2 -r 1s -rf json -rff "$OUT/pieces.json" \
        -e ffm PiecesBenchmark > "$OUT/pieces.log"

    log "tokenpipe's own cost over bare JNA: both in one JVM, alternating, thread CPU time"
    taskset -c 0 java -cp "$CP" io.tokenpipe.bench.OwnCost 15 > "$OUT/owncost.txt"
fi
log "tokenpipe's own cost over bare FFM downcalls: both in one JVM, alternating, thread CPU time"
taskset -c 0 "${FFM_JAVA[@]}" -cp "$CP" io.tokenpipe.bench.OwnCost 15 ffm > "$OUT/ffm-owncost.txt"
taskset -c 0 "${FFM_JAVA[@]}" -cp "$CP" org.openjdk.jmh.Main -f 1 -wi 2 -w 1s -i 2 -r 1s -rf json \
    -rff "$OUT/ffm-pieces.json" -e 'jna|lastError' PiecesBenchmark > "$OUT/ffm-pieces.log" 2>&1
log "allocation on the FFM token path (JMH -prof gc, PairBenchmark.tokenpipe)"
# shellcheck disable=SC2086
taskset -c 0 "${FFM_JAVA[@]}" -cp "$CP" org.openjdk.jmh.Main -f 1 -wi 2 -w 1s -i 2 -r 1s -prof gc -rf json \
    -rff "$OUT/ffm-gc.json" 'PairBenchmark.tokenpipe' > "$OUT/ffm-gc.log" 2>&1

# 10,000 open pipes need 20,000 descriptors plus the JVM's own: ask for that, take what the limit allows.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
PIPES=$(( ($(ulimit -n) - 64) / 2 ))
PIPES=$(( PIPES > 10000 ? 10000 : PIPES ))
log "heap per open pipe ($PIPES pipes)"
for impl in tokenpipe nio; do
    # SoftRefLRUPolicyMSPerMB=0: soft references go at every GC, not at a later one in the middle of the count
    if [ -z "$FFM_ONLY" ]; then
        taskset -c 0,1 java -XX:+UseSerialGC -XX:SoftRefLRUPolicyMSPerMB=0 -cp "$CP" io.tokenpipe.bench.HeapPerPipe \
            "$impl" "$PIPES" >> "$OUT/heap.txt"
    fi
    taskset -c 0,1 "${FFM_JAVA[@]}" -XX:+UseSerialGC -XX:SoftRefLRUPolicyMSPerMB=0 -cp "$CP" \
        io.tokenpipe.bench.HeapPerPipe "$impl" "$PIPES" >> "$OUT/ffm-heap.txt"
done

log "first use in fresh JVMs ($FIRST_USES each)"
for _ in $(seq "$FIRST_USES"); do
    for impl in tokenpipe nio; do
        if [ -z "$FFM_ONLY" ]; then
            taskset -c 0,1 java -cp "$CP" io.tokenpipe.bench.FirstUse "$impl" >> "$OUT/firstuse.txt"
        fi
        taskset -c 0,1 "${FFM_JAVA[@]}" -cp "$CP" io.tokenpipe.bench.FirstUse "$impl" >> "$OUT/ffm-firstuse.txt"
    done
    # JNA on the newer JDK, for comparison: what the FFM backend saves at first use
    taskset -c 0,1 "${FFM_JAVA[@]}" -Dtokenpipe.native=jna -cp "$CP" io.tokenpipe.bench.FirstUse tokenpipe \
        | sed 's/^firstuse tokenpipe/firstuse tokenpipe-jna/' >> "$OUT/ffm-firstuse.txt"
done

STARTER_JAR=$(tr ':' '\n' < "$BENCH/target/benchmark.classpath" | grep 'tokenpipe-spring-boot-starter' || true)
if [ -n "$STARTER_JAR" ] && unzip -l "$STARTER_JAR" | grep -q 'AutoConfiguration.imports'; then
    log "context start-up with and without the starter ($STARTS fresh JVMs each, alternating)"
    WITHOUT=$BENCH/target/classes:$(tr ':' '\n' < "$BENCH/target/benchmark.classpath" \
        | grep -v -e '/tokenpipe-' -e '/jna/' | paste -sd:)
    for _ in $(seq "$STARTS"); do
        if [ -z "$FFM_ONLY" ]; then
            taskset -c 0,1 java -cp "$WITHOUT" io.tokenpipe.bench.StartupApp without >> "$OUT/startup.txt"
            taskset -c 0,1 java -cp "$CP" io.tokenpipe.bench.StartupApp with >> "$OUT/startup.txt"
        fi
        taskset -c 0,1 "${FFM_JAVA[@]}" -cp "$WITHOUT" io.tokenpipe.bench.StartupApp without >> "$OUT/ffm-startup.txt"
        taskset -c 0,1 "${FFM_JAVA[@]}" -cp "$CP" io.tokenpipe.bench.StartupApp with >> "$OUT/ffm-startup.txt"
    done
else
    log "context start-up: skipped, the starter has no auto-configuration yet"
    echo "missing the starter module has no auto-configuration yet" > "$OUT/startup.txt"
    cp "$OUT/startup.txt" "$OUT/ffm-startup.txt"
fi

log "load average after: $(load)"
read -r BUSY_AFTER STEAL_AFTER <<< "$(cpu_jiffies)"
# CPU time of this script's children (everything it ran), from the shell's own accounting ("times" must
# run in this shell, not in a $(...) subshell, which has no children of its own)
times > "$OUT/times.txt"
OURS=$(tail -1 "$OUT/times.txt" | awk '{ gsub(/[ms]/, " "); print $1 * 60 + $2 + $3 * 60 + $4 }')
{
    echo "load_after $(load)"
    python3 - "$START_SECONDS" "$(date +%s.%N)" "$BUSY_BEFORE" "$BUSY_AFTER" "$STEAL_BEFORE" "$STEAL_AFTER" \
        "$OURS" "$(getconf CLK_TCK)" "$(nproc)" <<'PY'
import sys
start, end, b0, b1, s0, s1, ours, hz, cpus = map(float, sys.argv[1:])
elapsed = end - start
others = max(0.0, (b1 - b0) / hz - ours)
print("others_cpu %.0f%% of %d CPUs (%.0f s of %.0f s); steal %.1f%%" % (
    100 * others / (elapsed * cpus), cpus, others, elapsed * cpus, 100 * (s1 - s0) / hz / (elapsed * cpus)))
PY
    echo "cpu $(lscpu | sed -n 's/^Model name: *//p') x $(nproc)"
    echo "kernel $(uname -r)"
    echo "jdk $(java -version 2>&1 | head -1)"
    echo "ffm_jdk $("$JAVA_FFM" -version 2>&1 | head -1)"
    echo "date $(date -u +%Y-%m-%d)"
} >> "$OUT/machine.txt"
python3 "$BENCH/report.py" "$OUT" | tee "$OUT/table.md"
