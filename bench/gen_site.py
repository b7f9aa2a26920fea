#!/usr/bin/env python3
"""Writes the crawl benchmark's synthetic site: N article pages of about
SIZE bytes and F feeds (RSS 2.0 and Atom, alternately, listed in
feeds.txt and feeds.opml) that share the pages between them, each item
linking its page by absolute URL under BASE. Deterministic for a given
seed, so two runs crawl the same bytes.

The pages are built like a news site's: an indented <head> with meta
tags, Open Graph, a stylesheet, an inline style, JSON-LD and an
analytics script; a header with navigation and a search form; the
article (headline, byline with a time element, a figure, paragraphs
with inline links and emphasis, subheadings, a quote) in French or
English prose that sometimes names the benchmark's brands; a share bar,
related links, reader comments and a footer. Plain paragraphs alone
would flatter any extractor: the markup around them is what costs.

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


SECTIONS = ("Économie", "Tech", "Régions", "Monde", "Culture", "Sport",
            "Sciences", "Opinions", "Vidéos", "Podcasts")
AUTHORS = ("Claire Morel", "Yanis Haddad", "Sophie Laurent", "Tom Becker",
           "Inès Carvalho", "Marc Dubois")
STYLE = ("body{margin:0;font:17px/1.6 Georgia,serif;color:#222}"
         ".site-header{display:flex;gap:1rem;padding:.5rem 1rem;border-bottom:1px solid #ddd}"
         ".article-body p{margin:0 0 1em}.byline{color:#666;font-size:.9em}"
         "figure img{max-width:100%;height:auto}.share a{margin-right:.5em}"
         ".related li{margin:.25em 0}.comment{border-top:1px solid #eee;padding:.5em 0}")
SCRIPT = ("(function(w,d){w.lkq=w.lkq||[];function t(){w.lkq.push(arguments)}"
          "t('init','LK-20931');t('page',d.location.pathname,{section:%r});"
          "var s=d.createElement('script');s.async=1;s.src='/static/lk.js';"
          "d.head.appendChild(s)})(window,document);")


def inline(rng, text, i, pages):
    """Puts a link or some emphasis on one word of a sentence."""
    words = text.split(" ")
    k = rng.randrange(len(words))
    r = rng.random()
    if r < 0.3:
        words[k] = '<a href="/articles/%d.html">%s</a>' % (rng.randrange(pages), words[k])
    elif r < 0.45:
        words[k] = "<em>%s</em>" % words[k]
    elif r < 0.55:
        words[k] = "<strong>%s</strong>" % words[k]
    return " ".join(words)


def page(rng, i, size, pages):
    fr = i % 2 == 1
    words = WORDS_FR if fr else WORDS_EN
    site = "Le Veilleur" if fr else "The Lookout"
    headline = "%s: %s" % (rng.choice(BRANDS), sentence(rng, words)[:70].rstrip(". "))
    section = rng.choice(SECTIONS)
    author = rng.choice(AUTHORS)
    when = "2026-11-%02dT%02d:%02d:00Z" % (1 + i % 28, i % 24, (7 * i) % 60)
    esc = headline.replace("&", "&amp;").replace('"', "&quot;")
    nav = "\n".join('        <li><a href="/section/%d/">%s</a></li>' % (k, name)
                    for k, name in enumerate(SECTIONS))
    head = """<!DOCTYPE html>
<html lang="%(lang)s">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>%(title)s | %(site)s</title>
  <meta name="description" content="%(desc)s">
  <meta property="og:title" content="%(title)s">
  <meta property="og:type" content="article">
  <meta property="og:site_name" content="%(site)s">
  <meta property="article:published_time" content="%(when)s">
  <link rel="canonical" href="/articles/%(i)d.html">
  <link rel="alternate" type="application/rss+xml" title="%(site)s" href="/feeds/%(feed)d.xml">
  <link rel="stylesheet" href="/static/site.css">
  <style>%(style)s</style>
  <script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle","headline":"%(jtitle)s","datePublished":"%(when)s","author":{"@type":"Person","name":"%(author)s"},"publisher":{"@type":"Organization","name":"%(site)s"}}</script>
  <script>%(script)s</script>
</head>
<body class="article section-%(sec)d">
  <header class="site-header">
    <a class="logo" href="/">%(site)s</a>
    <nav class="main-nav" aria-label="Sections">
      <ul>
%(nav)s
      </ul>
    </nav>
    <form class="search" action="/search" role="search"><input type="search" name="q" placeholder="%(search)s"><button>OK</button></form>
  </header>
  <main class="wrap">
    <article id="a-%(i)d" class="story">
      <h1 class="headline">%(title)s</h1>
      <p class="byline">%(by)s <span class="author">%(author)s</span> · <time datetime="%(when)s">%(day)s</time></p>
      <figure class="lead-image"><img src="/img/%(i)d.jpg" alt="%(alt)s" width="960" height="540" loading="lazy"><figcaption>%(caption)s</figcaption></figure>
      <div class="article-body">
""" % {"lang": "fr" if fr else "en", "title": esc, "site": site,
       "desc": sentence(rng, words).replace('"', ""), "when": when, "i": i,
       "feed": i % 200, "style": STYLE, "jtitle": headline.replace('"', ""),
       "author": author, "script": SCRIPT % section, "sec": SECTIONS.index(section),
       "nav": nav, "search": "Rechercher" if fr else "Search",
       "by": "Par" if fr else "By", "day": when[:10],
       "alt": sentence(rng, words)[:50], "caption": sentence(rng, words)}
    share = ("      <div class=\"share\"><a href=\"/share/fb?u=%d\">Facebook</a>"
             "<a href=\"/share/x?u=%d\">X</a><a href=\"/share/in?u=%d\">LinkedIn</a>"
             "<a href=\"mailto:?subject=%d\">E-mail</a></div>\n" % (i, i, i, i))
    related = "\n".join('          <li><a href="/articles/%d.html">%s</a></li>'
                        % (rng.randrange(pages), sentence(rng, words)[:60])
                        for _ in range(6))
    comments = "\n".join('      <div class="comment"><b>%s</b><p>%s</p></div>'
                         % (rng.choice(("lecteur42", "marie_b", "J. Petit", "anon", "kevin.r")),
                            sentence(rng, words)) for _ in range(3))
    foot = """      </div>
%(share)s      <aside class="related"><h2>%(rel)s</h2>
        <ul>
%(related)s
        </ul>
      </aside>
    </article>
    <section class="comments" id="comments"><h2>%(com)s</h2>
%(comments)s
    </section>
  </main>
  <footer class="site-footer">
    <p>© 2026 %(site)s · <a href="/about">%(about)s</a> · <a href="/legal">%(legal)s</a> · <a href="/privacy">Cookies</a></p>
  </footer>
  <script src="/static/app.js" defer></script>
</body>
</html>
""" % {"share": share, "rel": "À lire aussi" if fr else "Related", "related": related,
       "com": "Commentaires" if fr else "Comments", "comments": comments, "site": site,
       "about": "Qui sommes-nous" if fr else "About us",
       "legal": "Mentions légales" if fr else "Legal notice"}
    body = []
    length = len(head.encode("utf-8")) + len(foot.encode("utf-8"))
    n = 0
    while length < size:
        n += 1
        if n % 5 == 0:
            part = "        <h2>%s</h2>" % sentence(rng, words)[:40].rstrip(". ")
        elif n % 11 == 0:
            part = "        <blockquote><p>%s</p></blockquote>" % sentence(rng, words)
        else:
            part = "        <p>%s</p>" % " ".join(inline(rng, sentence(rng, words), i, pages)
                                                  for _ in range(4))
        body.append(part)
        length += len(part.encode("utf-8")) + 1
    return headline, head + "\n".join(body) + "\n" + foot


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
        title, html = page(rng, i, a.size, a.pages)
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
