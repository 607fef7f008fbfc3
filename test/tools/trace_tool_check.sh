#!/usr/bin/env bash
# tracetool end to end on its synthetic trace (`tracetool synth`, the
# hidden subcommand for this test): text, faults (the exact round trips),
# json (parsed by python3: the Chrome Trace Event Format's object form,
# complete events with dur >= 0 that nest per thread, every flow start
# with its finish), svg (well-formed XML with an <svg> root; rendered to
# PNG when rsvg-convert is installed, skipped otherwise) and the clear
# errors for unusable files.
#   test/tools/trace_tool_check.sh [--build DIR]
set -uo pipefail
build=build
[[ ${1:-} == --build ]] && build=$2
tool=$build/tools/trace/tracetool
fails=0
fail() { echo "FAIL $*"; fails=$((fails + 1)); }

[[ -x $tool ]] || { echo "FAIL $tool is not built (ninja -C $build tracetool)"; exit 1; }
command -v python3 >/dev/null || { echo "FAIL python3 is missing (scripts/install-deps.sh)"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$tool" synth "$tmp/t.bin" || { echo "FAIL tracetool synth"; exit 1; }

# text: the header line, then one line per record.
"$tool" text "$tmp/t.bin" >"$tmp/t.txt" || fail "text: status $?"
head -1 "$tmp/t.txt" | grep -Eq '^trace: count=34 dropped=0 tsc_per_tick=100000 cpus=1$' ||
  fail "text: header line: $(head -1 "$tmp/t.txt")"
[[ $(wc -l <"$tmp/t.txt") == 35 ]] || fail "text: $(wc -l <"$tmp/t.txt") lines, expected 35"
grep -Eq '^ +1100 cpu0 t5/s3\(bench\) FAULT addr=0x1234000 err=0x4 ip=0x1000123 vec=14$' \
  "$tmp/t.txt" || fail "text: no FAULT line for 0x1234000"
# Every event's words as ipc/trace.h defines them.
for want in '^ +2655 cpu0 t2/s1\(pager\) REVOKE addr=0x40000000 removed=2 space=s1\(pager\)$' \
            '^ +2660 cpu0 t2/s1\(pager\) PROTECT addr=0x40001000 pages=1 space=s1\(pager\) rights=r--$' \
            '^ +2670 cpu0 t2/s1\(pager\) SEND to=queued tag=0x43 badge=0x0 w0=0x0$' \
            '^ +2680 cpu0 t2/s1\(pager\) ABORT thread=t6/s0 status=0xffffffffffffffed waited=3$'; do
  grep -Eq "$want" "$tmp/t.txt" || fail "text: no line matches $want"
done

# faults: the synthetic trace's three round trips, exactly.
cat >"$tmp/want.txt" <<'WANT'
FAULTRT n=0 thread=5 space=3 pager=2 pspace=1 addr=0x1234000 fault=1100 recv=1150 reply=1400 map=1410 resume=1450 deliver=50 handle=250 back=50 total=350
FAULTRT n=1 thread=5 space=3 pager=2 pspace=1 addr=0x2000000 fault=1800 recv=1850 reply=2300 map=2310 resume=2350 deliver=50 handle=450 back=50 total=550
FAULTRT n=2 thread=5 space=3 pager=2 pspace=1 addr=0x0 fault=2500 recv=2540 reply=2600 map=- resume=- deliver=40 handle=60 back=- total=-
FAULTSUM count=3 median_total=550 median_deliver=50 median_handle=250 median_back=50
WANT
"$tool" faults "$tmp/t.bin" >"$tmp/faults.txt" || fail "faults: status $?"
diff -u "$tmp/want.txt" "$tmp/faults.txt" || fail "faults: output differs (above)"

# json
"$tool" json "$tmp/t.bin" "$tmp/t.json" || fail "json: status $?"
python3 - "$tmp/t.json" <<'PY' || fail "json: invalid (above)"
import json, sys
from collections import defaultdict
doc = json.load(open(sys.argv[1]))
ev = doc["traceEvents"]
assert isinstance(ev, list) and ev, "traceEvents is not a non-empty list"
assert doc.get("displayTimeUnit") == "ns", "displayTimeUnit"
assert isinstance(doc.get("otherData"), dict), "otherData"
tracks = defaultdict(list)
starts, finishes = {}, {}
for e in ev:
    for k in ("name", "ph", "ts", "pid", "tid"):
        assert k in e, f"event without {k}: {e}"
    if e["ph"] == "X":
        assert e["dur"] >= 0, f"negative dur: {e}"
        tracks[(e["pid"], e["tid"])].append((e["ts"], e["ts"] + e["dur"]))
    elif e["ph"] == "s":
        starts[(e["cat"], e["id"])] = e
    elif e["ph"] == "f":
        assert e.get("bp") == "e", f"flow end not bound to its enclosing slice: {e}"
        finishes[(e["cat"], e["id"])] = e
for k in starts:
    assert k in finishes, f"flow {k} starts but never finishes"
for k in finishes:
    assert k in starts, f"flow {k} finishes but never starts"
# Complete events of one thread nest (Chrome's rule); 1e-9 for the float ts.
for key, spans in tracks.items():
    spans.sort(key=lambda s: (s[0], -s[1]))
    stack = []
    for b, e in spans:
        while stack and stack[-1] <= b + 1e-9:
            stack.pop()
        assert not stack or e <= stack[-1] + 1e-9, f"span {b}..{e} of {key} does not nest"
        stack.append(e)
names = {(e["pid"], e["name"], e["args"]["name"]) for e in ev if e["ph"] == "M"}
assert (1, "process_name", "pager (space 1)") in names, names
assert (3, "process_name", "bench (space 3)") in names, names
assert any(e["name"] == "page fault 0x1234000 (waits for its pager)" and e["tid"] == 5
           and abs(e["ts"] - 1.1) < 1e-9 and abs(e["dur"] - 0.35) < 1e-9 for e in ev), "fault span"
assert any(e["name"] == "handles fault of thread 5 at 0x1234000" and e["tid"] == 2
           for e in ev), "pager span"
kinds = {e["name"].split()[0] for e in ev if e["ph"] == "i"}
for k in ("KILL", "THREAD_END", "DEATH_NOTICE", "MAP", "UNMAP", "SPACE"):
    assert k in kinds, f"no {k} instant"
assert len(starts) == 7, f"{len(starts)} flows, expected 7"
PY

# svg: the whole trace, one fault round trip, the COW one with a title to escape.
"$tool" svg "$tmp/t.bin" "$tmp/all.svg" || fail "svg: status $?"
"$tool" svg "$tmp/t.bin" "$tmp/f0.svg" --fault 0 || fail "svg --fault 0: status $?"
"$tool" svg "$tmp/t.bin" "$tmp/f1.svg" --fault 1 --title 'COW <fault> & "copy"' ||
  fail "svg --fault 1: status $?"
"$tool" svg "$tmp/t.bin" "$tmp/w.svg" --from 1500 --to 1800 || fail "svg --from --to: status $?"
for s in all f0 f1 w; do
  python3 - "$tmp/$s.svg" <<'PY' || fail "svg $s: not a well-formed SVG (above)"
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == "{http://www.w3.org/2000/svg}svg", root.tag
assert not list(root.iter("{http://www.w3.org/2000/svg}script")), "has a script"
PY
done
grep -q 'COW &lt;fault&gt; &amp; &quot;copy&quot;' "$tmp/f1.svg" || fail "svg: title not escaped"
grep -q '>bench / thread 5<' "$tmp/f0.svg" || fail "svg: no lane for bench / thread 5"
if command -v rsvg-convert >/dev/null; then
  for s in all f0 f1; do
    rsvg-convert -o "$tmp/$s.png" "$tmp/$s.svg" || fail "rsvg-convert $s.svg"
    [[ -s $tmp/$s.png && $(head -c 4 "$tmp/$s.png" | od -An -tx1 | tr -d ' ') == 89504e47 ]] ||
      fail "svg $s: no PNG rendered"
  done
  rendered="rendered with rsvg-convert"
else
  rendered="not rendered: rsvg-convert is not installed (librsvg2-bin)"
fi

# Unusable input: a clear message and status 1; a cut record area only warns.
expect_error() {  # expect_error NAME REGEX FILE
  local err status
  err=$("$tool" faults "$3" 2>&1 >/dev/null)
  status=$?
  [[ $status == 1 ]] || fail "$1: status $status, expected 1"
  grep -Eq "$2" <<<"$err" || fail "$1: stderr '$err' does not match $2"
}
head -c 10 "$tmp/t.bin" >"$tmp/short.bin"
expect_error truncated_header 'too short for a trace' "$tmp/short.bin"
printf 'XXXX' | cat - <(tail -c +5 "$tmp/t.bin") >"$tmp/magic.bin"
expect_error bad_magic 'bad magic 0x58585858' "$tmp/magic.bin"
python3 -c "import sys; b = bytearray(open(sys.argv[1], 'rb').read()); b[6] = 40; open(sys.argv[2], 'wb').write(b)" \
  "$tmp/t.bin" "$tmp/size.bin"
expect_error record_size 'record_size 40' "$tmp/size.bin"
expect_error missing_file 'cannot open' "$tmp/none.bin"
head -c $((64 + 48 * 10 + 7)) "$tmp/t.bin" >"$tmp/cut.bin"
err=$("$tool" faults "$tmp/cut.bin" 2>&1 >"$tmp/cut.txt") || fail "cut trace: status $?"
grep -q 'counts 34 records, the file holds 10' <<<"$err" || fail "cut trace: no warning ($err)"
grep -q '^FAULTRT n=0 .* total=350$' "$tmp/cut.txt" || fail "cut trace: the first round trip is gone"
"$tool" svg "$tmp/t.bin" "$tmp/x.svg" --fault 3 2>"$tmp/err.txt"
[[ $? == 1 && ! -e $tmp/x.svg ]] || fail "svg --fault 3: not refused"
grep -q 'has 3 fault round trip' "$tmp/err.txt" || fail "svg --fault 3: $(cat "$tmp/err.txt")"
"$tool" bogus "$tmp/t.bin" 2>/dev/null
[[ $? == 2 ]] || fail "unknown subcommand: not a usage error"

[[ $fails == 0 ]] && echo "PASS trace_tool (text, faults, json, svg $rendered; bad inputs)"
exit $((fails > 0))
