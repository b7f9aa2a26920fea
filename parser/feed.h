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

/* Call once from the main thread before any parsing (libxml2 init). */
void feed_global_init(void);

/* Parses len bytes. base_url resolves relative links (may be NULL);
 * content_type is the HTTP header (may be NULL, its charset wins over the
 * XML declaration). *out is freed with feed_free. Returns VG_EPARSE with a
 * message when nothing feed-like can be recovered, VG_ETOOBIG over
 * FEED_MAX_BYTES. */
vg_err feed_parse(const char *data, size_t len, const char *base_url,
                  const char *content_type, feed **out);

/* Frees a feed (NULL accepted). */
void feed_free(feed *f);

/* Cheap sniff: non-zero when data looks like RSS/Atom/RDF XML. */
int feed_sniff(const char *data, size_t len);

#endif
