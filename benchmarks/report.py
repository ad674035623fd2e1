#!/usr/bin/env python3
"""Turns the raw results of benchmarks/run.sh (one directory) into the table of README.md's Performance section.

run.sh measures each row REPS times as C, JMH (tokenpipe, nio, bare JNA), C. Per round, tokenpipe's median
over its JMH iterations is divided by the median of the C rounds just before and after it (and by nio's
median of the same JMH block); the table gives the median of those per-round ratios and their range, so a
drift of the machine between rounds does not turn into a ratio. Absolute figures are medians over all
rounds.
"""
import json
import statistics
import sys
from pathlib import Path

out = Path(sys.argv[1])


def read_c():
    """{(rep, test): [ns of every timed round]} from lines "c REP TEST MEDIAN R1 R2 ..."."""
    rounds = {}
    for line in (out / "c.txt").read_text().split("\n"):
        fields = line.split()
        if len(fields) > 4:
            rounds.setdefault((int(fields[1]), fields[2]), []).extend(float(f) for f in fields[4:])
    return rounds


def read_jmh(pattern="jmh-*-*.json"):
    """{(rep, "PairBenchmark.tokenpipe"): [ns of every measured iteration]}."""
    rounds = {}
    for path in sorted(out.glob(pattern)):
        last = path.stem.rsplit("-", 1)[-1]
        rep = int(last) if last.isdigit() else 0
        for entry in json.loads(path.read_text()):
            bench = ".".join(entry["benchmark"].split(".")[-2:])
            raw = entry["primaryMetric"]["rawData"]
            rounds[(rep, bench)] = [v for fork in raw for v in fork]
    return rounds


def read_lines(name, tag):
    path = out / name
    if not path.exists():
        return []
    return [line.split() for line in path.read_text().split("\n") if line.startswith(tag + " ")]


c = read_c()
jmh = read_jmh()
machine = dict(line.split(" ", 1) for line in (out / "machine.txt").read_text().strip().split("\n"))


def med(values):
    return statistics.median(values) if values else None


def fmt(value, unit):
    if value is None:
        return "–"
    if unit == "us":
        return "%.2f us" % (value / 1000)
    if unit == "ns":
        return "%.0f ns" % value
    if unit == "ms":
        return "%.1f ms" % value
    if unit == "B":
        return "%.0f B" % value
    return str(value)


def ratio(a, b):
    return "–" if a is None or b is None else "%.2fx" % (a / b)


def main_table(jmh, direct, direct_label, targets, heap_file, firstuse_file, startup_file, backend_label):
    """The results table of one JDK: tokenpipe on its default backend beside C, nio and the bare calls."""
    rows = []
    reps = sorted({rep for rep, _ in jmh})

    def all_rounds(table, name):
        return [v for (rep, n), values in table.items() if n == name for v in values]

    def per_round_ratios(bench, impl, cname=None, other=None):
        """Per-round ratios of impl to C (cname) or to another implementation in the same JMH block."""
        ratios = []
        for rep in reps:
            mine = jmh.get((rep, bench + "." + impl))
            base = c.get((rep, cname)) if cname else jmh.get((rep, bench + "." + other))
            if mine and base:
                ratios.append(statistics.median(mine) / statistics.median(base))
        return ratios

    for bench, cname, what, unit in (
            ("PairBenchmark", "pair", "per token (write + read, one thread)", "ns"),
            ("PingPongBenchmark", "pingpong", "ping-pong round trip, two threads on one CPU", "us"),
            ("ThroughputBenchmark", "throughput", "throughput, 1 writer + 1 reader thread, 2 CPUs (time per token)", "ns"),
            ("CreateCloseBenchmark", "create", "pipe create + close", "us")):
        c_limit, nio_limit = targets[cname]
        tp = med(all_rounds(jmh, bench + ".tokenpipe"))
        nio = med(all_rounds(jmh, bench + ".nio"))
        bare = med(all_rounds(jmh, bench + "." + direct))
        cv = med(all_rounds(c, cname))
        cv_thread = med(all_rounds(c, cname + "+thread"))
        vs_c, vs_c_mid = show_ratio(per_round_ratios(bench, "tokenpipe", cname=cname))
        vs_c_thread, _ = show_ratio(per_round_ratios(bench, "tokenpipe", cname=cname + "+thread"))
        vs_nio, vs_nio_mid = show_ratio(per_round_ratios(bench, "tokenpipe", other="nio"))
        if cname == "throughput":
            target = "≥ %.1fx C's tokens/s (≤ %.2fx C's time)" % (c_limit, 1 / c_limit)
            ok = vs_c_mid is not None and 1 / vs_c_mid >= c_limit
            met = yes(ok) + (" (%.2fx C's tokens/s)" % (1 / vs_c_mid) if vs_c_mid else "")
        else:
            target = "≤ %.2fx C" % c_limit + (" and ≤ %.2fx nio" % nio_limit if nio_limit else "")
            ok = vs_c_mid is not None and vs_c_mid <= c_limit
            if nio_limit:
                ok = ok and vs_nio_mid is not None and vs_nio_mid <= nio_limit
            met = yes(ok)
        rows.append("| %s | %s | %s | %s | **%s** | %s | %s | %s | %s | %s | %s |" % (
            what, fmt(cv, unit), fmt(cv_thread, unit), fmt(nio, unit), fmt(tp, unit), fmt(bare, unit), vs_c,
            vs_c_thread, vs_nio, target, met))

    heap_limit = targets["heap"]
    heap = {f[1]: (int(f[2]), float(f[3]), float(f[4])) for f in read_lines(heap_file, "heap")}
    if "tokenpipe" in heap:
        # The class histogram's sum over the pipes' own classes is exact; "used after GC" cross-checks it.
        count, tp_used, tp_heap = heap["tokenpipe"]
        nio_heap = heap.get("nio", (0, None, None))[2]
        rows.append("| heap per open pipe: pipe + 2 ends, %d open pipes (heap in use after GC: %.0f B) | – | – | %s | **%s** | – | – | – | %s | ≤ %d B | %s |" % (
            count, tp_used, fmt(nio_heap, "B"), fmt(tp_heap, "B"), ratio(tp_heap, nio_heap), heap_limit,
            yes(tp_heap <= heap_limit)))

    first_limit = targets["first"]
    first = {}
    first_cpu = {}
    first_token = {}
    for f in read_lines(firstuse_file, "firstuse"):
        first.setdefault(f[1], []).append(float(f[2]))
        first_cpu.setdefault(f[1], []).append(float(f[4]))
        if len(f) > 5:
            first_token.setdefault(f[1], []).append(float(f[5]))
    if "tokenpipe" in first:
        tp_first = med(first["tokenpipe"])
        nio_first = med(first.get("nio"))
        jna_note = ""
        if "tokenpipe-jna" in first:
            jna_note = "; with -Dtokenpipe.native=jna on the same JDK: %.0f ms" % med(first["tokenpipe-jna"])
        if "tokenpipe" in first_token:
            jna_note += "; the first token after it, written and read: %.1f ms, nio %.1f ms" % (
                med(first_token["tokenpipe"]), med(first_token.get("nio", [0])))
        rows.append("| first make() in a fresh JVM, %s load included (median of %d JVMs, range %.0f–%.0f ms; main thread's CPU time %.0f ms, nio %.0f ms%s) | – | – | %s | **%s** | – | – | – | %s | ≤ %d ms | %s |" % (
            backend_label, len(first["tokenpipe"]), min(first["tokenpipe"]), max(first["tokenpipe"]),
            med(first_cpu["tokenpipe"]), med(first_cpu.get("nio", [0])), jna_note, fmt(nio_first, "ms"),
            fmt(tp_first, "ms"), ratio(tp_first, nio_first), first_limit, yes(tp_first <= first_limit)))

    startup = {"with": [], "without": []}
    native_at_startup = False
    beans = 0
    for f in read_lines(startup_file, "startup"):
        startup[f[1]].append((float(f[2]), float(f[6])))  # run.sh alternates: without, with, without, with ...
        if f[1] == "with":
            beans = max(beans, int(f[4]))
            native_at_startup = native_at_startup or f[5] == "true"
    if startup["with"] and startup["without"]:
        # Each "with" JVM is compared with the "without" JVM started just before it: the machine's mood cancels.
        pairs = list(zip(startup["without"], startup["with"]))
        wall = [w[0] - wo[0] for wo, w in pairs]
        cpu = [w[1] - wo[1] for wo, w in pairs]
        added = med(wall)
        q = statistics.quantiles(wall, n=4) if len(wall) >= 4 else [min(wall), added, max(wall)]
        rows.append("| context start-up added by the starter, no pipe made: SpringApplication.run of a non-web app with actuator, %d fresh JVMs each (median wall time %.0f ms with, %.0f ms without; middle half of the paired differences %+.0f to %+.0f ms; main thread's CPU time %+.0f ms; %d tokenpipe beans; native code loaded: %s) | – | – | – | **%+.1f ms** | – | – | – | – | ≤ 20 ms | %s |" % (
            len(pairs), med([w[0] for w in startup["with"]]), med([w[0] for w in startup["without"]]), q[0], q[2],
            med(cpu), beans, "yes" if native_at_startup else "no", added, yes(added <= 20 and not native_at_startup)))
    else:
        missing = (out / startup_file).read_text().strip() if (out / startup_file).exists() else "not run"
        rows.append("| context start-up added by the starter, no pipe made | – | – | – | not measured yet | – | – | – | – | ≤ 20 ms | not measured: %s |" % (
            missing.replace("missing ", "")))

    print("| what | C (the limit) | C + 1 idle thread | java.nio Pipe | tokenpipe | %s | tokenpipe / C | tokenpipe / (C + thread) | tokenpipe / nio | target | met |" % direct_label)
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        print(row)
    return reps


def all_rounds(table, name):
    return [v for (rep, n), values in table.items() if n == name for v in values]


def show_ratio(ratios):
    if not ratios:
        return "–", None
    mid = statistics.median(ratios)
    text = "%.2fx" % mid if len(ratios) == 1 else "%.2fx (%.2f–%.2f)" % (mid, min(ratios), max(ratios))
    return text, mid


def yes(ok):
    return "yes" if ok else "**no**"


reps = []
if jmh:
    print("Java 17, JNA backend (%s):" % machine.get("jdk"))
    print()
    reps = main_table(jmh, "jnaDirect", "bare JNA calls", {
        "pair": (1.40, 1.10), "pingpong": (1.25, None), "throughput": (0.8, None), "create": (1.10, None),
        "heap": 256, "first": 150}, "heap.txt", "firstuse.txt", "startup.txt", "JNA")
    print()
ffm_jmh = read_jmh("ffm-jmh-*-*.json")
if ffm_jmh:
    print("Java 22+, FFM backend (%s):" % machine.get("ffm_jdk"))
    print()
    reps = main_table(ffm_jmh, "ffmDirect", "bare FFM downcalls", {
        "pair": (1.10, 0.95), "pingpong": (1.10, None), "throughput": (0.9, None), "create": (1.05, None),
        "heap": 168, "first": 30}, "ffm-heap.txt", "ffm-firstuse.txt", "ffm-startup.txt", "FFM")
    print()
print()
alt = [(name, med(all_rounds(c, name))) for name in ("pingpong", "pingpong-poll", "pingpong-nb-poll")]
if all(v for _, v in alt):
    print("Waiting strategies in C, same-CPU ping-pong: blocking read %.2f us; poll(pipe, wake-up fd) then read %.2f us (%.2fx);"
          " O_NONBLOCK read, EAGAIN, poll, read %.2f us (%.2fx)." % (
              alt[0][1] / 1000, alt[1][1] / 1000, alt[1][1] / alt[0][1], alt[2][1] / 1000, alt[2][1] / alt[0][1]))
    print()
own = {f[1]: (float(f[2]), float(f[3])) for f in read_lines("owncost.txt", "owncost")}
if own:
    print("tokenpipe's own cost over the bare JNA calls, both in one JVM on one thread, alternating in 150 ms"
          " slices, thread CPU time (OwnCost): " + "; ".join(
              "%s %.0f vs %.0f ns (%+.0f ns, %+.1f%%)" % (name, a, b, a - b, 100 * (a - b) / b)
              for name, (a, b) in sorted(own.items())) + ".")
own = {f[1]: (float(f[2]), float(f[3])) for f in read_lines("ffm-owncost.txt", "owncost")}
if own:
    print("tokenpipe's own cost over the bare FFM downcalls (JDK 22+), both in one JVM on one thread, alternating in"
          " 150 ms slices, thread CPU time (OwnCost ffm): " + "; ".join(
              "%s %.0f vs %.0f ns (%+.0f ns, %+.1f%%)" % (name, a, b, a - b, 100 * (a - b) / b)
              for name, (a, b) in sorted(own.items())) + ".")
ffm_pieces = read_jmh("ffm-pieces.json")
pieces = read_jmh("pieces.json")
if pieces or ffm_pieces:
    def piece(name):
        return med(pieces.get((0, "PiecesBenchmark." + name), []) or ffm_pieces.get((0, "PiecesBenchmark." + name), []))
    print()
    print("Where the time goes (same machine, one CPU; JMH PiecesBenchmark, C getppid):")
    print()
    print("| piece | ns |")
    print("|---|---|")
    for label, value in (
            ("getppid(2) in C", med(all_rounds(c, "getppid"))),
            ("getppid(2) through JNA direct mapping", piece("jnaGetppid")),
            ("getppid(2) through a plain FFM downcall (JDK 22+)", piece("ffmGetppid")),
            ("getppid(2) through a critical FFM downcall (not used: it would stall safepoints in blocking calls)",
             piece("ffmGetppidCritical")),
            ("an FFM downcall without system call (labs)", piece("ffmCallWithoutSyscall")),
            ("close(-1) through a plain FFM downcall, no errno capture", piece("ffmCloseBadFd")),
            ("close(-1) through tokenpipe's FFM Libc: errno captured into the thread's segment",
             med(ffm_pieces.get((0, "PiecesBenchmark.backendCloseBadFd"), []))),
            ("close(-1) through tokenpipe's JNA Libc", med(pieces.get((0, "PiecesBenchmark.backendCloseBadFd"), []))),
            ("a JNA direct call without system call (labs)", piece("jnaCallWithoutSyscall")),
            ("a plain JNI call of the JDK (Adler32.update)", piece("jniCallWithoutSyscall")),
            ("java.lang.ref.Cleaner register + clean, per end (no longer used)", piece("cleanerRegisterAndClean")),
            ("Native.getLastError (only after a failed call)", piece("lastError")),
            ("publish the call, check the state, leave (per call)", piece("enterCheckLeave")),
            ("a volatile read, as of the Waker's flag (per call)", piece("volatileRead")),
            ("ThreadLocal lookup of the thread's context (per call)", piece("threadLocalLookup")),
            ("Optional.of in make() (vs. the bare allocation: %.1f ns)" % (piece("newObject") or 0), piece("optionalOf")),
            ("Reference.reachabilityFence (per call)", piece("reachabilityFence"))):
        print("| %s | %s |" % (label, "–" if value is None else "%.1f" % value))
    print()
gc = out / "ffm-gc.json"
if gc.exists():
    for entry in json.loads(gc.read_text()):
        norm = entry.get("secondaryMetrics", {}).get("gc.alloc.rate.norm")
        if norm:
            print("Allocation on the FFM token path (PairBenchmark.tokenpipe, JMH -prof gc): %.3f B per token"
                  " (write + read)." % norm["score"])
            print()
print("Ratios: median over %d rounds of C, JMH, C (range in brackets); absolute figures: medians of all rounds."
      % len(reps))
print("Machine: %s; kernel %s; %s (FFM rows: %s). Date %s. Load average (1/5/15 min) before %s, after %s; other processes"
      " used %s during the run." % (
          machine.get("cpu"), machine.get("kernel"), machine.get("jdk"), machine.get("ffm_jdk"), machine.get("date"),
          machine.get("load_before"), machine.get("load_after"), machine.get("others_cpu", "?")))
