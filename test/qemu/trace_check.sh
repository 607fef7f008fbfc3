#!/usr/bin/env bash
# The kernel's event trace end to end (docs/tracing.md). Boots the fault
# round-trip benchmark under --icount with --trace and checks:
#  - the run ends cleanly and the kernel wrote every event (none dropped);
#  - the JSON loads as Chrome Trace Event Format: every event has name, ph,
#    ts, pid, tid; complete events a duration >= 0; every flow start its
#    finish; the pager and the bench are named;
#  - each measured round trip (the benchmark's last 100 faults, on pages
#    one after another) is fault -> the pager's receive -> its map reply ->
#    resume, in that order, by the bench's thread in the bench's space,
#    handled by the pager's thread in the pager's space, the map into the
#    bench's space at the faulting page;
#  - the timestamps add up to the bench's figure: under -icount every
#    round trip costs the same, the trace's fault-to-resume lies inside the
#    bench's sample (figure + the empty region it subtracted), and that
#    sample inside the time from the previous resume to the next fault;
#  - the SVG of one round trip parses as XML with an <svg> root (and
#    renders to a PNG when rsvg-convert is installed).
#   test/qemu/trace_check.sh [--build DIR]
set -uo pipefail

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=$SRC/build
[[ ${1:-} == --build ]] && BUILD=$(realpath -m "$2")
TOOL=$BUILD/tools/trace/tracetool
OUT=$BUILD/run/trace_check
rm -rf "$OUT"
mkdir -p "$OUT"
failures=0
fail() { echo "FAIL trace_check: $*"; failures=$((failures + 1)); }

echo "== trace_check: the fault round trip traced under --icount, as JSON and SVG"
"$SRC/scripts/run-ovmf.sh" --build "$BUILD" --no-install --no-build --icount --quick \
  --trace "$OUT/trace.json" --append "bench.only=fault_roundtrip" >"$OUT/run.log" 2>&1
status=$?
[[ $status == 0 ]] || fail "the run ended with status $status, expected 0"
grep -Eq '^kernel: trace: [0-9]+ events to port 0xe9$' "$OUT/run.log" ||
  fail "the kernel did not write its whole trace (or dropped events)"
[[ -s $OUT/trace.json.bin && -s $OUT/trace.json ]] || fail "no trace files in $OUT"
figure=$(sed -nE 's/^BENCH fault_roundtrip min=[0-9]+ median=([0-9]+) .*unit=insns.*/\1/p' "$OUT/run.log")
empty=$(sed -nE 's/^bench: .*empty region ([0-9]+) \(subtracted\).*/\1/p' "$OUT/run.log")
[[ -n $figure && -n $empty ]] || fail "no BENCH fault_roundtrip figure (in instructions) in the log"

if [[ $failures == 0 ]]; then
  "$TOOL" faults "$OUT/trace.json.bin" >"$OUT/faults.txt" || fail "tracetool faults failed"
  "$TOOL" svg "$OUT/trace.json.bin" "$OUT/fault.svg" --fault 0 --title "one fault round trip" ||
    fail "tracetool svg failed"
  python3 - "$OUT" "$figure" "$empty" <<'EOF' || failures=$((failures + 1))
import json, re, struct, sys
out, figure, empty = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
bad = []

# Space names from the raw records (ipc/trace.h: 64-byte header, 48-byte
# records; TRACE_SPACE = 14 carries the name in words 0-1, the id in 2).
raw = open(out + "/trace.json.bin", "rb").read()
magic, version, size, count = struct.unpack_from("<IHHQ", raw, 0)
if magic != 0x45435254 or size != 48 or len(raw) != 64 + 48 * count:
    sys.exit("FAIL trace_check: the raw trace's header does not match its size")
names = {}
for i in range(count):
    rec = struct.unpack_from("<QBBHIIIQQQ", raw, 64 + 48 * i)
    if rec[1] == 14:
        names[rec[9]] = struct.pack("<QQ", rec[7], rec[8]).rstrip(b"\0").decode()
space_of = {n: s for s, n in names.items()}
if "pager" not in space_of or "bench" not in space_of:
    bad.append("no space named pager and bench in the trace: %r" % names)

# The JSON, as a Trace Event parser reads it.
doc = json.load(open(out + "/trace.json"))
events = doc["traceEvents"] if isinstance(doc, dict) else doc
if not isinstance(events, list) or not events:
    bad.append("traceEvents is not a non-empty list")
    events = []
starts, finishes = set(), set()
for e in events:
    missing = [k for k in ("name", "ph", "pid", "tid") if k not in e]
    if e.get("ph") != "M" and "ts" not in e:
        missing.append("ts")
    if missing:
        bad.append("an event lacks %s: %r" % (missing, e))
        break
    if e["ph"] == "X" and not e.get("dur", -1) >= 0:
        bad.append("a complete event without a duration: %r" % e)
        break
    if e["ph"] == "s":
        starts.add((e.get("cat"), e["id"]))
    if e["ph"] == "f":
        finishes.add((e.get("cat"), e["id"]))
if not starts or starts != finishes:
    bad.append("flow arrows: %d starts, %d finishes, %d unpaired" %
               (len(starts), len(finishes), len(starts ^ finishes)))
pnames = " ".join(e["args"].get("name", "") for e in events
                  if e.get("ph") == "M" and e.get("name") == "process_name")
if "pager" not in pnames or "bench" not in pnames:
    bad.append("the JSON does not name the pager's and the bench's tracks: %r" % pnames)

# The round trips, as tracetool matched them.
trips = []
for line in open(out + "/faults.txt"):
    if line.startswith("FAULTRT "):
        trips.append({k: v for k, v in re.findall(r"(\w+)=(\S+)", line)})
# The benchmark's faults are on 110 pages one after another (so are the
# writes that filled those pages before: the last such run is the
# benchmark); the measured ones are its last 100.
runs = []
for t in trips:
    last = runs[-1][-1] if runs else None
    if last and int(last["addr"], 16) + 4096 == int(t["addr"], 16) and t["thread"] == last["thread"]:
        runs[-1].append(t)
    else:
        runs.append([t])
runs = [r for r in runs if len(r) >= 110]
run = runs[-1] if runs else []
if len(run) < 110:
    bad.append("no run of 110 faults on consecutive pages (found %d)" % len(run))
measured = run[-100:]
totals = set()
for t in measured:
    try:
        ts = [int(t[k]) for k in ("fault", "recv", "reply", "map", "resume")]
    except (KeyError, ValueError):
        bad.append("a round trip lacks a step: %r" % t)
        break
    if ts != sorted(ts) or len(set(ts)) != 5:
        bad.append("steps out of order: %r" % t)
        break
    if int(t["space"]) != space_of.get("bench") or int(t["pspace"]) != space_of.get("pager"):
        bad.append("a round trip in the wrong spaces: %r (spaces %r)" % (t, names))
        break
    if int(t["deliver"]) + int(t["handle"]) + int(t["back"]) != int(t["total"]) or \
       int(t["total"]) != ts[4] - ts[0]:
        bad.append("spans that do not add up: %r" % t)
        break
    totals.add(int(t["total"]))
if len(totals) != 1:
    bad.append("under -icount every round trip should cost the same: %r" % sorted(totals))
else:
    total = totals.pop()
    sample = figure + empty
    # the sample lies between the previous round trip's resume and the next fault
    i = trips.index(measured[50])
    outer = int(trips[i + 1]["fault"]) - int(trips[i - 1]["resume"])
    print("trace_check: bench figure %d (+%d empty) = trace's fault-to-resume %d + %d in user "
          "mode around it; room between neighbours %d" % (figure, empty, total, sample - total, outer))
    if not total <= sample <= outer:
        bad.append("the trace's round trip (%d) does not fit the bench's sample (%d <= %d)"
                   % (total, sample, outer))

# The picture.
import xml.etree.ElementTree as ET
root = ET.parse(out + "/fault.svg").getroot()
if not root.tag.endswith("svg"):
    bad.append("fault.svg's root is %s, not svg" % root.tag)
for b in bad:
    print("FAIL trace_check: " + b)
sys.exit(1 if bad else 0)
EOF
  if command -v rsvg-convert >/dev/null 2>&1; then
    rsvg-convert "$OUT/fault.svg" -o "$OUT/fault.png" && [[ -s $OUT/fault.png ]] ||
      fail "rsvg-convert could not render fault.svg"
  else
    echo "trace_check: rsvg-convert not installed: the SVG was parsed, not rendered"
  fi
fi
if [[ $failures -gt 0 ]]; then
  echo "---- serial log ($OUT/run.log) ----"
  tail -n 30 "$OUT/run.log"
  exit 1
fi
echo "PASS trace_check"
