/*
 * Feed parsing: RSS 0.9x/1.0 (RDF)/2.0 and Atom 0.3/1.0 with libxml2
 * (JSON Feed comes later), into one normalised model.
 *
 * libxml2 runs with network access, DTD loading and entity expansion off:
 * a feed must never read local files or expand a billion laughs. Broken
 * XML is recovered when entries can be salvaged, and the feed is flagged
 * (bozo) rather than dropped. Pure function of its input; thread-safe
 * once feed_global_init() has run.
 */
#ifndef VG_FEED_H
#define VG_FEED_H

#include "core/vg.h"

#include <stddef.h>
#include <stdint.h>

/* Largest feed document accepted. */
#define FEED_MAX_BYTES (16u * 1024 * 1024)

/* Entries kept from one document; the rest are ignored (not an error). */
#define FEED_MAX_ENTRIES 10000

typedef struct feed_entry {
    char *title;          /* plain text (markup stripped), may be NULL */
    char *link;           /* absolute URL, may be NULL */
    char *id;             /* guid / id, may be NULL */
    char *author;         /* may be NULL */
    char *summary;        /* plain text, may be NULL */
    char *content;        /* plain text of the full content, may be NULL */
    int64_t published;    /* UTC unix seconds; 0 when absent/unparseable */
    int64_t updated;      /* UTC unix seconds; 0 when absent/unparseable */
    char *published_raw;  /* the date string as written, may be NULL */
} feed_entry;

typedef struct feed {
    char *version;        /* "rss20", "rss10", "atom10", ... */
    char *title;
    char *link;
    char *language;
    int ttl;              /* minutes, 0 when absent */
    int bozo;             /* the XML was ill-formed and was recovered */
    char *bozo_message;   /* why, when bozo */
    feed_entry *entries;
    size_t n_entries;
} feed;

/* Call once from the main thread before any parsing (libxml2 init). Also
 * installs a process-wide libxml2 external entity loader that refuses
 * every load, so no XML parse in vigie can reach a file or the network.
 * Used by opml_parse too. */
void feed_global_init(void);

/* Parses len bytes of RSS 0.90/0.91/0.92/1.0/2.0 or Atom 0.3/1.0.
 * base_url resolves relative links after xml:base (may be NULL: relative
 * links that cannot be made absolute come out NULL). content_type is the
 * HTTP header (may be NULL); its charset wins over the XML declaration,
 * a BOM wins over both, and stray non-UTF-8 bytes in a UTF-8 document are
 * read as windows-1252. Every string in the result is valid UTF-8 with
 * whitespace collapsed; HTML (RSS description, content:encoded, Atom
 * type=html/xhtml) becomes plain text, paragraphs as "\n". Entries keep
 * document order; only the first FEED_MAX_ENTRIES are kept; published is
 * 0 when the entry has no publication date (Atom entries often only have
 * updated: callers choose the fallback). Ill-formed XML is recovered:
 * bozo=1, bozo_message says why, entries before the damage are kept.
 * *out is freed with feed_free. Errors: VG_EPARSE with a message ("not a
 * feed: ...") when the document is empty, not XML or not RSS/Atom;
 * VG_ETOOBIG over FEED_MAX_BYTES; VG_ENOMEM. *out is NULL on error.
 * Thread-safe after feed_global_init(); no I/O. */
vg_err feed_parse(const char *data, size_t len, const char *base_url,
                  const char *content_type, feed **out);

/* Frees a feed (NULL accepted). */
void feed_free(feed *f);

/* Where a document came from, for the canonical model: every field may
 * be NULL. Relative links resolve against xml:base, then
 * content_location (itself resolved against url), then url. */
typedef struct feed_model_opts {
    const char *url;              /* the fetched URL */
    const char *content_type;     /* HTTP Content-Type (charset wins) */
    const char *content_location; /* HTTP Content-Location */
    const char *content_language; /* HTTP Content-Language: default xml:lang */
    int markup_text;              /* HTML values become plain text */
} feed_model_opts;

#define FEED_MODEL_OPTS_INIT {NULL, NULL, NULL, NULL, 0}

/* The whole feed in the canonical model (docs/parsing.md; Python
 * feedparser's normalised model: bozo, version, encoding, feed{...},
 * entries[{...}]): every title/summary/content with its *_detail (type,
 * value, language, base), links (rel, type, href, title, length),
 * authors and contributors (name, email, href), tags (term, scheme,
 * label), enclosures, source, rights, generator, ttl, sy:* hints,
 * unknown extension elements as prefix_name, and dates as
 * "YYYY-MM-DDTHH:MM:SSZ" (null when unparseable) with the text as
 * written under <name>_raw. Markup is kept as the feed wrote it, typed.
 * Accepts RSS, RDF, Atom and JSON Feed (detected from the first byte).
 * Ill-formed documents are never an error: bozo is true and what could be
 * recovered is returned. *out is a malloc'd JSON text (free()); opts may
 * be NULL. Errors: VG_ETOOBIG over FEED_MAX_BYTES, VG_ENOMEM. Thread-safe
 * after feed_global_init(); no I/O. */
vg_err feed_model_json(const char *data, size_t len, const feed_model_opts *opts,
                       char **out);

/* JSON Feed 1.0/1.1 to the same canonical model (version "json1" or
 * "json11"); a document that is not JSON, or not a JSON Feed, gives
 * bozo true and an empty feed. Same contract as feed_model_json. */
vg_err feed_jsonfeed_model(const char *data, size_t len, const feed_model_opts *opts,
                           char **out);

/* Cheap sniff of the first 8 KiB: non-zero when, after a BOM, blanks, the
 * XML declaration, processing instructions, comments and a DOCTYPE, the
 * root tag is <rss, <feed or <rdf:RDF (UTF-8 or UTF-16). Reads no more
 * than len bytes; data may be NULL when len is 0. */
int feed_sniff(const char *data, size_t len);

#endif
