#!/bin/sh
# Crawl benchmark (figures, never a test): a generated site of 5,000
# article pages of about 20 KB and 200 RSS/Atom feeds linking them, served
# by Debian's nginx on 127.0.0.1, crawled end to end by
# `vigie crawl --once` in full-text mode (fetch, parse, extract, match
# three brands, score, store: 5,200 requests) with the per-host limits
# raised to Scrapy's (64 connections, no delay), then by Scrapy
# (Debian's python3-scrapy, 64 concurrent requests, title and article
# text of every page, starting from the same feeds). Prints pages/s, CPU
# seconds, CPU ms per page and peak RSS of each (/usr/bin/time -v), and
# the ratio. nginx, scrapy and time are installed (apt-get, as root or
# through sudo) only when missing.
#
#   bench/bench_crawl.sh [BUILD_DIR] [PAGES] [FEEDS]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../build}
pages=${2:-5000}
feeds=${3:-200}
vigie=$build/vigie
[ -x "$vigie" ] || { echo "bench_crawl: no $vigie (build first)" >&2; exit 1; }

. "$here/nginx_site.sh"
need_pkg scrapy python3-scrapy
[ -x /usr/bin/time ] || need_pkg time time

nginx_workdir

# The site's URLs carry the port, so it is chosen before they are written.
mkdir -p "$work/site"
nginx_serve "$work" "$work/site"
python3 "$here/gen_site.py" --out "$work/site" --base "$base" --pages "$pages" --feeds "$feeds"
nginx_wait "$base/feeds/0.xml" || { cat "$work/ngx/error.log" >&2 2>/dev/null; exit 1; }
: > "$work/ngx/access.log"

now() { python3 -c 'import time; print("%.3f" % time.time())'; }
# Prints "pages wall cpu rss_kb" for a run: 200s logged by nginx since the
# log was emptied, wall seconds, user+sys seconds, peak RSS.
measure() { # timefile start end
    ok=$(grep -c '^200$' "$work/ngx/access.log" || true)
    cpu=$(awk -F': ' '/User time|System time/ { s += $2 } END { printf "%.2f", s }' "$1")
    rss=$(awk -F': ' '/Maximum resident/ { print $2 }' "$1")
    wall=$(python3 -c "print('%.2f' % ($3 - $2))")
    echo "$ok $wall $cpu $rss"
}
report() { # name pages wall cpu rss
    python3 -c "
n, wall, cpu, rss = $2, $3, $4, $5
print('%-7s %5d requests ok  %7.2f s  %8.1f pages/s  %6.2f CPU s  %5.2f CPU ms/page  %6.1f MB peak RSS'
      % ('$1', n, wall, n / wall if wall else 0, cpu, 1000 * cpu / n if n else 0, rss / 1024))"
}

# vigie: full-text mode from the feeds, limits raised through its settings.
db=$work/vigie.db
"$vigie" --db "$db" -q init
"$vigie" --db "$db" -q config set crawl.host_connections 64 crawl.host_delay_ms 0 \
    crawl.connections 64 crawl.max_interval 86400
"$vigie" --db "$db" -q source import "$work/site/feeds.opml" --full-text
"$vigie" --db "$db" -q brand add Fibrelia NetOcean Ondalis
t0=$(now)
/usr/bin/time -v -o "$work/vigie.time" "$vigie" --db "$db" crawl --once > "$work/vigie.out"
t1=$(now)
set -- $(measure "$work/vigie.time" "$t0" "$t1")
v_ok=$1 v_wall=$2 v_cpu=$3 v_rss=$4

# Scrapy: same feeds, same concurrency, title and article text per page.
: > "$work/ngx/access.log"
cat > "$work/spider.py" <<'PY'
import scrapy

class BenchSpider(scrapy.Spider):
    name = "bench"

    def start_requests(self):
        with open(self.feeds) as f:
            for url in f.read().split():
                yield scrapy.Request(url, callback=self.parse_feed)

    def parse_feed(self, response):
        response.selector.remove_namespaces()
        links = response.xpath("//item/link/text()").getall()
        links += response.xpath("//entry/link/@href").getall()
        for url in links:
            yield scrapy.Request(url, callback=self.parse_page)

    def parse_page(self, response):
        yield {"url": response.url,
               "title": response.css("title::text").get(),
               "text": " ".join(response.css("article p::text").getall())}
PY
t0=$(now)
/usr/bin/time -v -o "$work/scrapy.time" scrapy runspider "$work/spider.py" \
    -a feeds="$work/site/feeds.txt" -o "$work/scrapy.jsonl" \
    -s CONCURRENT_REQUESTS=64 -s CONCURRENT_REQUESTS_PER_DOMAIN=64 \
    -s DOWNLOAD_DELAY=0 -s ROBOTSTXT_OBEY=False -s LOG_LEVEL=WARNING \
    -s TELNETCONSOLE_ENABLED=False >/dev/null 2>"$work/scrapy.err"
t1=$(now)
set -- $(measure "$work/scrapy.time" "$t0" "$t1")
s_ok=$1 s_wall=$2 s_cpu=$3 s_rss=$4

echo "site: $pages pages of ~20 KB, $feeds feeds, nginx on $base (1 worker)"
report vigie "$v_ok" "$v_wall" "$v_cpu" "$v_rss"
report scrapy "$s_ok" "$s_wall" "$s_cpu" "$s_rss"
python3 -c "
v = $v_ok / $v_wall; s = $s_ok / $s_wall
print('ratio vigie/scrapy: %.1fx pages/s' % (v / s if s else 0))"
echo "vigie's own summary: $(tail -n 1 "$work/vigie.out")"
echo "scrapy items written: $(wc -l < "$work/scrapy.jsonl")"
echo "load average during the run: $(cut -d' ' -f1-3 /proc/loadavg)"
