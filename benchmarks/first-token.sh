#!/usr/bin/env bash
# The first token call of new virtual threads, with 1,000 to 16,000 of them alive (VirtualThreadFirstToken), on
# the newest JDK 21+ under /usr/lib/jvm, two carriers on CPUs 0-1. About a minute. Not part of run.sh's table:
#
#   benchmarks/first-token.sh [rounds]     # default 7
set -euo pipefail
cd "$(dirname "$0")/.."
BENCH=$(pwd)/benchmarks
JAVA=
for home in /usr/lib/jvm/*; do
    version=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$home/release" 2>/dev/null || true)
    if [ -n "$version" ] && [ "$version" -ge 21 ] && [ -x "$home/bin/java" ]; then
        JAVA=$home/bin/java
    fi
done
if [ -z "$JAVA" ]; then
    echo "no JDK 21 or later under /usr/lib/jvm: virtual threads need one" >&2
    exit 1
fi
./mvnw -B -q -pl benchmarks -am package -DskipTests
CP=$BENCH/target/classes:$(cat "$BENCH/target/benchmark.classpath")
echo "$($JAVA -version 2>&1 | head -1); load average $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%Y-%m-%d)"
taskset -c 0,1 "$JAVA" --enable-native-access=ALL-UNNAMED -Djdk.virtualThreadScheduler.parallelism=2 \
    -cp "$CP" io.tokenpipe.bench.VirtualThreadFirstToken "${1:-7}"
