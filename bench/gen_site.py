#!/usr/bin/env python3
"""Writes the crawl benchmark's synthetic site: N article pages of about
SIZE bytes (boilerplate navigation and footer around an <article> of
French and English prose that sometimes names the benchmark's brands) and
F feeds (RSS 2.0 and Atom, alternately, listed in feeds.txt and
feeds.opml) that share the pages between them,
each item linking its page by absolute URL under BASE. Deterministic for a
given seed, so two runs crawl the same bytes.

    gen_site.py --out DIR --base http://127.0.0.1:PORT [--pages 5000]
                [--feeds 200] [--size 20000] [--seed 7]
"""
import argparse
import os
import random

WORDS_EN = ("network service customer support outage speed price fibre box "
            "router install engineer contract month week day city village "
            "people report the a of and to in with for on is was great slow "
            "terrible excellent fast broken reliable happy angry waiting "
            "connection line signal upgrade offer plan quality").split()
WORDS_FR = ("réseau service client assistance panne débit prix fibre box "
            "routeur installation technicien contrat mois semaine jour ville "
            "village les gens le la de et à dans avec pour sur est était "
            "génial lent nul excellent rapide cassé fiable content énervé "
            "attente connexion ligne signal offre qualité").split()
BRANDS = ("Fibrelia", "NetOcean", "Ondalis")


def sentence(rng, words):
    n = rng.randint(8, 22)
    out = [rng.choice(words) for _ in range(n)]
    if rng.random() < 0.15:
        out.insert(rng.randint(0, n), rng.choice(BRANDS))
    s = " ".join(out)
    return s[0].upper() + s[1:] + "."


def page(rng, i, size):
    words = WORDS_FR if i % 2 else WORDS_EN
    title = "%s %d: %s" % (rng.choice(BRANDS), i, sentence(rng, words)[:60])
    nav = "".join('<li><a href="/section/%d.html">Section %d</a></li>' % (k, k)
                  for k in range(40))
    head = ('<!doctype html><html lang="%s"><head><meta charset="utf-8">'
            "<title>%s</title></head><body><header><ul>%s</ul></header>"
            "<article><h1>%s</h1>" % ("fr" if i % 2 else "en", title, nav, title))
    foot = ("</article><footer><p>Copyright, legal notice, cookies, contact."
            "</p><ul>%s</ul></footer></body></html>" % nav)
    body = []
    length = len(head) + len(foot)
    while length < size:
        p = "<p>%s</p>" % " ".join(sentence(rng, words) for _ in range(4))
        body.append(p)
        length += len(p.encode("utf-8"))
    return title, head + "".join(body) + foot


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--base", required=True)
    ap.add_argument("--pages", type=int, default=5000)
    ap.add_argument("--feeds", type=int, default=200)
    ap.add_argument("--size", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    os.makedirs(os.path.join(a.out, "articles"), exist_ok=True)
    os.makedirs(os.path.join(a.out, "feeds"), exist_ok=True)
    titles = []
    for i in range(a.pages):
        title, html = page(rng, i, a.size)
        titles.append(title)
        with open(os.path.join(a.out, "articles", "%d.html" % i), "w",
                  encoding="utf-8") as f:
            f.write(html)
    feed_urls = []
    for k in range(a.feeds):
        items = range(k, a.pages, a.feeds)
        atom = k % 2 == 1
        name = "%d.%s" % (k, "atom" if atom else "xml")
        feed_urls.append("%s/feeds/%s" % (a.base, name))
        parts = []
        for i in items:
            url = "%s/articles/%d.html" % (a.base, i)
            date = "2026-11-%02dT%02d:00:00Z" % (1 + i % 28, i % 24)
            t = titles[i].replace("&", "&amp;").replace("<", "&lt;")
            if atom:
                parts.append('<entry><title>%s</title><link href="%s"/><id>%s</id>'
                             "<updated>%s</updated><summary>Short summary.</summary>"
                             "</entry>" % (t, url, url, date))
            else:
                parts.append("<item><title>%s</title><link>%s</link><guid>%s</guid>"
                             "<description>Short summary.</description></item>"
                             % (t, url, url))
        if atom:
            doc = ('<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
                   "<title>Feed %d</title><id>%s</id><updated>2026-11-28T00:00:00Z</updated>%s</feed>"
                   % (k, feed_urls[-1], "".join(parts)))
        else:
            doc = ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
                   "<title>Feed %d</title><link>%s</link>%s</channel></rss>"
                   % (k, a.base, "".join(parts)))
        with open(os.path.join(a.out, "feeds", name), "w", encoding="utf-8") as f:
            f.write(doc)
    with open(os.path.join(a.out, "feeds.txt"), "w") as f:
        f.write("\n".join(feed_urls) + "\n")
    # The same list as OPML, for `vigie source import --full-text`.
    with open(os.path.join(a.out, "feeds.opml"), "w") as f:
        f.write('<?xml version="1.0"?><opml version="2.0"><head><title>bench</title>'
                "</head><body>%s</body></opml>\n"
                % "".join('<outline type="rss" text="f%d" xmlUrl="%s"/>' % (k, u)
                          for k, u in enumerate(feed_urls)))


if __name__ == "__main__":
    main()
