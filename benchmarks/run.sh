#!/usr/bin/env bash
# Builds and runs every tokenpipe benchmark beside java.nio.channels.Pipe and the C limit, pinned with
# taskset, and prints one table with the ratios and the targets of issue 6. About 6 minutes on 2 cores.
#
#   benchmarks/run.sh            # everything
#   REPS=1 benchmarks/run.sh     # quicker, noisier (rounds of C + JMH per benchmark; default 3)
#
# Results (raw JMH JSON, C output, logs) land in benchmarks/target/results/.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BENCH=$ROOT/benchmarks
OUT=$BENCH/target/results
REPS=${REPS:-3}
STARTS=${STARTS:-15}
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
        taskset -c "$cpus" java -cp "$CP" org.openjdk.jmh.Main -f 1 -wi 2 -w 1s -i 3 -r 1s -rf json \
            -rff "$OUT/jmh-$name-$rep.json" "$bench" > "$OUT/jmh-$name-$rep.log"
        run_c "$rep" "$name" "$cpus"
    done
done

log "pieces: what a JNA call, a JNI call and tokenpipe's own steps cost alone"
TP_ROUNDS=5 taskset -c 0 "$OUT/tokenpipe_ref" getppid | sed 's/^/c 0 /' >> "$OUT/c.txt"
taskset -c 0 java -cp "$CP" org.openjdk.jmh.Main -f 1 -wi 2 -w 1s -i 2 -r 1s -rf json -rff "$OUT/pieces.json" \
    PiecesBenchmark > "$OUT/pieces.log"

log "tokenpipe's own cost over bare JNA: both in one JVM, alternating, thread CPU time"
taskset -c 0 java -cp "$CP" io.tokenpipe.bench.OwnCost 15 > "$OUT/owncost.txt"

# 10,000 open pipes need 20,000 descriptors plus the JVM's own: ask for that, take what the limit allows.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
PIPES=$(( ($(ulimit -n) - 64) / 2 ))
PIPES=$(( PIPES > 10000 ? 10000 : PIPES ))
log "heap per open pipe ($PIPES pipes)"
for impl in tokenpipe nio; do
    # SoftRefLRUPolicyMSPerMB=0: soft references go at every GC, not at a later one in the middle of the count
    taskset -c 0,1 java -XX:+UseSerialGC -XX:SoftRefLRUPolicyMSPerMB=0 -cp "$CP" io.tokenpipe.bench.HeapPerPipe "$impl" "$PIPES" \
        >> "$OUT/heap.txt"
done

log "first use in fresh JVMs (7 each)"
for _ in 1 2 3 4 5 6 7; do
    for impl in tokenpipe nio; do
        taskset -c 0,1 java -cp "$CP" io.tokenpipe.bench.FirstUse "$impl" >> "$OUT/firstuse.txt"
    done
done

STARTER_JAR=$(tr ':' '\n' < "$BENCH/target/benchmark.classpath" | grep 'tokenpipe-spring-boot-starter' || true)
if [ -n "$STARTER_JAR" ] && unzip -l "$STARTER_JAR" | grep -q 'AutoConfiguration.imports'; then
    log "context start-up with and without the starter ($STARTS fresh JVMs each, alternating)"
    WITHOUT=$BENCH/target/classes:$(tr ':' '\n' < "$BENCH/target/benchmark.classpath" \
        | grep -v -e '/tokenpipe-' -e '/jna/' | paste -sd:)
    for _ in $(seq "$STARTS"); do
        taskset -c 0,1 java -cp "$WITHOUT" io.tokenpipe.bench.StartupApp without >> "$OUT/startup.txt"
        taskset -c 0,1 java -cp "$CP" io.tokenpipe.bench.StartupApp with >> "$OUT/startup.txt"
    done
else
    log "context start-up: skipped, the starter has no auto-configuration yet"
    echo "missing the starter module has no auto-configuration yet" > "$OUT/startup.txt"
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
    echo "date $(date -u +%Y-%m-%d)"
} >> "$OUT/machine.txt"
python3 "$BENCH/report.py" "$OUT" | tee "$OUT/table.md"
