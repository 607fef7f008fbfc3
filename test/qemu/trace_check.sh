#!/usr/bin/env bash
# The kernel's event trace end to end (docs/tracing.md). Boots the fault
# round-trip benchmark under --icount with --trace and checks:
#  - the run ends cleanly and the kernel wrote every event (none dropped);
#  - the JSON loads as Chrome Trace Event Format: every event has name, ph,
#    ts, pid, tid; complete events a duration >= 0; every flow start its
#    finish; the pager and the bench are named;
#  - each measured round trip (the benchmark's last 100 faults, on pages
#    one after another) is exactly these records: the bench's FAULT, the
#    pager's RECV of it, the SWITCH to the pager, its REPLY (resume with a
#    map item), the MAP of one page read-write at the faulting page into
#    the bench's space, the SWITCH back to the bench: the right threads,
#    spaces, peers and words in each;
#  - the timestamps add up to the bench's figure: under -icount every
#    round trip costs the same, the trace's fault-to-resume lies inside the
#    bench's sample (figure + the empty region it subtracted), and that
#    sample inside the time from the previous resume to the next fault;
#  - the SVG of one round trip parses as XML with an <svg> root (and
#    renders to a PNG when rsvg-convert is installed);
#  - a second run, the pager conformance suite traced: every call that
#    went straight to a receiver is followed by that receiver's RECV of
#    it; every FAULT_KILL reply (the slow path's) by the KILL of its
#    faulter; every death notice handed to a waiting pager thread by its
#    RECV; notices and kills happen; the programs' spaces are named.
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

# The raw records (ipc/trace.h: 64-byte header, 48-byte records), and the
# space names (TRACE_SPACE = 14: the name in words 0-1, the id in 2).
raw = open(out + "/trace.json.bin", "rb").read()
magic, version, size, count = struct.unpack_from("<IHHQ", raw, 0)
if magic != 0x45435254 or size != 48 or len(raw) != 64 + 48 * count:
    sys.exit("FAIL trace_check: the raw trace's header does not match its size")
FAULT, RECV, REPLY, SWITCH, MAP = 5, 3, 4, 6, 10
recs = [struct.unpack_from("<QBBHIIIQQQ", raw, 64 + 48 * i) for i in range(count)]
# fields: 0 tsc, 1 event, 2 cpu, 3 flags, 4 thread, 5 space, 6 peer, 7-9 words
names = {}
for rec in recs:
    if rec[1] == 14:
        names[rec[9]] = struct.pack("<QQ", rec[7], rec[8]).rstrip(b"\0").decode()
space_of = {n: s for s, n in names.items()}
by_tsc = {rec[0]: i for i, rec in enumerate(recs)}
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
    # The records themselves, one by one, from the FAULT to the switch back.
    i = by_tsc.get(ts[0])
    seq = recs[i:i + 6] if i is not None else []
    if len(seq) != 6 or seq[5][0] != ts[4]:
        bad.append("the round trip at %s is not six records" % t["fault"])
        break
    f, rv, sw, rp, mp, back = seq
    bt, bs = f[4], f[5]
    pt, ps = rv[4], rv[5]
    page = int(t["addr"], 16) & ~0xfff
    want = [
        (f[1] == FAULT and f[3] == 14 and f[7] == int(t["addr"], 16), "FAULT (#PF, its address)"),
        (rv[1] == RECV and rv[6] == bt and rv[7] & 0xffff == 0xfa01 and rv[7] >> 50 & 1 and
         rv[9] == f[7], "the pager's RECV of FAULT_PAGE|TAG_KERNEL from the faulter, its address"),
        (sw[1] == SWITCH and sw[4] == bt and sw[6] == pt and sw[7] == ps, "SWITCH faulter -> pager"),
        (rp[1] == REPLY and rp[4] == pt and rp[6] == bt and rp[7] & 0xffff == 0xfa10 and
         rp[7] >> 48 & 1 and rp[9] == page, "REPLY FAULT_RESUME|TAG_MAP to the faulter, its page"),
        (mp[1] == MAP and mp[4] == pt and mp[3] == 3 and mp[8] == page and mp[7] == rp[8] and
         mp[9] == (1 | bs << 32), "MAP: one page read-write, the reply's source, into the faulter"),
        (back[1] == SWITCH and back[4] == pt and back[6] == bt and back[7] == bs,
         "SWITCH pager -> faulter"),
    ]
    wrong = [what for ok, what in want if not ok]
    if wrong:
        bad.append("the round trip at %s: wrong %s: %r" % (t["fault"], wrong, seq))
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
  # The second run: many programs, calls, the slow path, kills, notices.
  "$SRC/scripts/run-ovmf.sh" --build "$BUILD" --no-install --no-build --test conformance_pager \
    --trace "$OUT/conf.json" --trace-events 1200000 >"$OUT/conf.log" 2>&1 ||
    fail "the traced conformance run ended with status $?"
  grep -Eq '^kernel: trace: [0-9]+ events to port 0xe9$' "$OUT/conf.log" ||
    fail "the conformance run's trace is not whole"
  python3 - "$OUT/conf.json.bin" <<'EOF' || failures=$((failures + 1))
import struct, sys
raw = open(sys.argv[1], "rb").read()
count = struct.unpack_from("<Q", raw, 8)[0]
recs = [struct.unpack_from("<QBBHIIIQQQ", raw, 64 + 48 * i) for i in range(count)]
CALL, RECV, REPLY, KILL, DEATH, SPACE = 1, 3, 4, 7, 9, 14
bad, seen = [], {"calls": 0, "fault kills": 0, "notices handed over": 0, "notices queued": 0}
names = set()
for i, r in enumerate(recs[:-1]):
    n = recs[i + 1]
    if r[1] == CALL and r[6]:
        seen["calls"] += 1
        if not (n[1] == RECV and n[4] == r[6] and n[6] == r[4] and n[7] == r[7]):
            bad.append("CALL %r is not followed by its receiver's RECV: %r" % (r, n))
    if r[1] == REPLY and r[7] & 0xffff == 0xfa11:
        seen["fault kills"] += 1
        if not (n[1] == KILL and n[6] == r[6]):
            bad.append("FAULT_KILL reply %r is not followed by the faulter's KILL: %r" % (r, n))
    if r[1] == DEATH:
        if r[6]:
            seen["notices handed over"] += 1
            if not (n[1] == RECV and n[4] == r[6] and n[6] == 0 and n[7] & 0xffff == 0xfa20):
                bad.append("death notice %r is not followed by its RECV: %r" % (r, n))
        else:
            seen["notices queued"] += 1
    if r[1] == SPACE:
        names.add(struct.pack("<QQ", r[7], r[8]).rstrip(b"\0").decode())
for what, n in seen.items():
    if what != "notices queued" and n == 0:
        bad.append("the conformance run shows no %s" % what)
for want in ("pager", "conformance", "conf_child", "t_exhaust"):
    if want not in names:
        bad.append("no space named %s (%s)" % (want, sorted(names)))
print("trace_check: conformance traced: %d records; %s" % (count, seen))
for b in bad[:5]:
    print("FAIL trace_check: " + b)
sys.exit(1 if bad else 0)
EOF
  rm -f "$OUT/conf.json"                # 190 MB of JSON: what it proves is in the .bin
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
