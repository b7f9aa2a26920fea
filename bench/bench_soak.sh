#!/bin/sh
# Memory soak (figures, never a test): `vigie run` polls 10,000 feeds
# served by nginx on 127.0.0.1 for 10 cycles. Most answer 304 (nginx
# honours the ETag and Last-Modified vigie sends back); each cycle the
# script rewrites 1% of them with a new entry. Prints vigie's resident
# memory at the end of every cycle: after the first cycle (which parses
# and stores everything) it must stay flat. The polling intervals are
# shortened through vigie's own settings so ten cycles take minutes, not
# days. Bounded: stops after the cycles or after LIMIT seconds.
#
#   bench/bench_soak.sh [BUILD_DIR] [SOURCES] [CYCLES] [LIMIT]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../build}
sources=${2:-10000}
cycles=${3:-10}
limit=${4:-1200}
vigie=$build/vigie
[ -x "$vigie" ] || { echo "bench_soak: no $vigie (build first)" >&2; exit 1; }

. "$here/nginx_site.sh"
nginx_workdir

mkdir -p "$work/site"
nginx_serve "$work" "$work/site"
# feeds/N.xml: five entries each; `bump K` gives feed K a new entry.
cat > "$work/feeds.py" <<'PY'
import sys, os
root, base, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
os.makedirs(root + "/feeds", exist_ok=True)
brands = ["Fibrelia", "NetOcean", "Ondalis"]
def write(k, gen):
    items = []
    for i in range(gen, gen + 5):
        b = brands[(k + i) % 3]
        items.append("<item><title>%s : nouvelle %d du flux %d</title>"
                     "<link>%s/a/%d/%d</link><guid>%d-%d</guid>"
                     "<description>Les abonnés de %s jugent le service %s cette semaine.</description>"
                     "</item>" % (b, i, k, base, k, i, k, i, b, ["excellent", "lent", "correct"][i % 3]))
    with open("%s/feeds/%d.xml" % (root, k), "w") as f:
        f.write('<?xml version="1.0"?><rss version="2.0"><channel><title>Flux %d</title>'
                '<link>%s</link><description>d</description>%s</channel></rss>' % (k, base, "".join(items)))
if sys.argv[4] == "all":
    for k in range(n):
        write(k, 0)
    with open(root + "/feeds.opml", "w") as f:
        f.write('<?xml version="1.0"?><opml version="2.0"><body>')
        for k in range(n):
            f.write('<outline type="rss" text="f%d" xmlUrl="%s/feeds/%d.xml"/>' % (k, base, k))
        f.write("</body></opml>")
else:
    cycle = int(sys.argv[4])
    for k in range(cycle, n, 100):
        write(k, cycle)
PY
python3 "$work/feeds.py" "$work/site" "$base" "$sources" all
nginx_wait "$base/feeds/0.xml" || exit 1

db=$work/vigie.db
"$vigie" --db "$db" -q init
for kv in crawl.host_connections:64 crawl.host_delay_ms:0 crawl.connections:64 \
          crawl.min_interval:1 crawl.max_interval:20; do
    "$vigie" --db "$db" -q config set "${kv%%:*}" "${kv#*:}"
done
"$vigie" --db "$db" -q source import "$work/site/feeds.opml"
"$vigie" --db "$db" -q brand add Fibrelia NetOcean Ondalis

: > "$work/ngx/access.log"
"$vigie" --db "$db" -q run &
vpid=$!
start=$(date +%s)
cycle=1
echo "sources: $sources feeds, nginx on $base; vigie run pid $vpid"
echo "cycle  requests  200s    304s    RSS MB  elapsed s"
while [ "$cycle" -le "$cycles" ]; do
    sleep 1
    now=$(date +%s)
    if [ $((now - start)) -ge "$limit" ]; then
        echo "bench_soak: stopped after $limit s (cycle $cycle not finished)"
        break
    fi
    if ! kill -0 "$vpid" 2>/dev/null; then
        echo "bench_soak: vigie run exited" >&2
        exit 1
    fi
    reqs=$(wc -l < "$work/ngx/access.log")
    if [ "$reqs" -ge $((cycle * sources)) ]; then
        rss=$(awk '/^VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$vpid/status")
        ok=$(grep -c '^200$' "$work/ngx/access.log" || true)
        nm=$(grep -c '^304$' "$work/ngx/access.log" || true)
        printf '%5d  %8d  %6d  %6d  %7s  %9d\n' "$cycle" "$reqs" "$ok" "$nm" "$rss" $((now - start))
        python3 "$work/feeds.py" "$work/site" "$base" "$sources" "$cycle"
        cycle=$((cycle + 1))
    fi
done
hwm=$(awk '/^VmHWM/ { printf "%.1f", $2 / 1024 }' "/proc/$vpid/status")
echo "peak RSS (VmHWM): $hwm MB"
kill "$vpid"
wait "$vpid" || true
vpid=
echo "load average during the run: $(cut -d' ' -f1-3 /proc/loadavg)"
