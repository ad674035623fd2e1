#!/bin/sh
# What the starter adds to an application's start-up while no pipe is made: runs StartupCostMain (an
# auto-configured actuator + Micrometer application, no web server) N times with and N times without the
# starter, core and JNA on the class path, alternating, and prints medians. Usage, from the repository root:
#   tokenpipe-spring-boot-starter/measure-startup.sh [N=20]
set -eu
runs=${1:-20}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
./mvnw -B -q -pl tokenpipe-spring-boot-starter -am test-compile dependency:build-classpath \
    -Dmdep.outputFile="$work/cp.txt" -Dmdep.includeScope=test
mkdir -p "$work/main/io/tokenpipe/spring/boot"
cp tokenpipe-spring-boot-starter/target/test-classes/io/tokenpipe/spring/boot/StartupCostMain.class \
    "$work/main/io/tokenpipe/spring/boot/"
without="$work/main:$(tr ':' '\n' < "$work/cp.txt" | grep -v -e tokenpipe -e /jna/ | paste -sd: -)"
with="$without:$PWD/tokenpipe-spring-boot-starter/target/classes:$(tr ':' '\n' < "$work/cp.txt" | grep -e tokenpipe-core/target/classes -e /jna/ | paste -sd: -)"
i=0
while [ "$i" -lt "$runs" ]; do
    java -cp "$without" io.tokenpipe.spring.boot.StartupCostMain | grep '^startup' | sed 's/^/without /' >> "$work/runs"
    java -cp "$with" io.tokenpipe.spring.boot.StartupCostMain | grep '^startup' | sed 's/^/with /' >> "$work/runs"
    i=$((i + 1))
done
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
for variant in without with; do
    cpu=$(grep "^$variant " "$work/runs" | sed 's/.*main-thread-cpu-ms=\([0-9.]*\).*/\1/' | median)
    wall=$(grep "^$variant " "$work/runs" | sed 's/.*wall-ms=\([0-9.]*\).*/\1/' | median)
    echo "$variant starter: median main-thread CPU ${cpu} ms, median wall ${wall} ms ($runs runs)"
done
beans=$(grep '^with ' "$work/runs" | sed 's/.*tokenpipe-beans-ms=\([0-9.]*\).*/\1/' | median)
echo "creating the starter's beans (class loading included): median ${beans} ms"
