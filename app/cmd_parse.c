/*
 * `vigie parse`: what the parsers make of one document, for checking a
 * feed or a page by hand and for the conformance scripts. A feed prints
 * the canonical model (docs/parsing.md); a page prints the extracted
 * article (or its text alone with --text); --dates normalises one date
 * per line of standard input. A URL is fetched once with libcurl's easy
 * interface (size and time capped): this is a diagnostic tool, the
 * crawler's politeness machinery is not needed for one request.
 */
#include "app/app.h"

#include "core/buf.h"
#include "crawler/fetch.h"
#include "parser/date.h"
#include "parser/feed.h"
#include "parser/html.h"

#include <curl/curl.h>
#include <getopt.h>
#include <jansson.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The longest `vigie parse URL` waits, and the most it reads. */
#define PARSE_FETCH_TIMEOUT_S 30L
#define PARSE_MAX_HEADERS 16
#define PARSE_DATE_LINE_MAX 4096

static int usage(void)
{
    printf("usage: vigie parse FILE|URL [--as feed|html] [--url BASE]\n"
           "                  [--header 'Name: value']... [--format json]\n"
           "                  [--markup raw|text] [--text]\n"
           "       vigie parse --dates [--format text|json] < dates.txt\n\n"
           "Prints the parsed model of a feed (RSS, RDF, Atom, JSON Feed) or a\n"
           "page as JSON. --as forces the parser (default: sniffed). --url is\n"
           "the document's URL for resolving relative links; --header passes\n"
           "HTTP headers as if fetched (Content-Type, Content-Location,\n"
           "Content-Language). --markup text turns HTML values into plain\n"
           "text. --text prints only the main text of a page. --dates reads\n"
           "one date per line and prints it as UTC YYYY-MM-DDTHH:MM:SSZ, or\n"
           "null when it is not a date (json: one {input, output} per line).\n");
    return APP_OK;
}

typedef struct fetched {
    vg_buf body;
    char *content_type, *content_location, *content_language;
} fetched;

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
    fetched *f = ud;
    return vg_buf_append(&f->body, p, size * n) == VG_OK ? size * n : 0;
}

/* Keeps the three headers the parsers care about; a redirect's headers
 * are replaced by the final response's. */
static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
    fetched *f = ud;
    size_t len = size * n;
    static const struct {
        const char *name;
        size_t off;
    } keep[] = {{"content-type:", offsetof(fetched, content_type)},
                {"content-location:", offsetof(fetched, content_location)},
                {"content-language:", offsetof(fetched, content_language)}};
    for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++) {
        size_t kl = strlen(keep[i].name);
        if (len > kl && strncasecmp(p, keep[i].name, kl) == 0) {
            char **slot = (char **)((char *)f + keep[i].off);
            const char *v = p + kl;
            size_t vl = len - kl;
            while (vl && (*v == ' ' || *v == '\t'))
                v++, vl--;
            while (vl && (v[vl - 1] == '\r' || v[vl - 1] == '\n' || v[vl - 1] == ' '))
                vl--;
            free(*slot);
            *slot = vg_strndup(v, vl);
        }
    }
    return len;
}

static int fetch_url(const char *url, fetched *f, char **effective)
{
    CURL *c = curl_easy_init();
    long status = 0;
    char *eff = NULL;
    if (!c)
        return app_fail("parse", "cannot start libcurl");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_USERAGENT, FETCH_USER_AGENT);
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, PARSE_FETCH_TIMEOUT_S);
    curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)FEED_MAX_BYTES);
    curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, f);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, f);
    CURLcode rc = curl_easy_perform(c);
    if (rc != CURLE_OK) {
        curl_easy_cleanup(c);
        return app_fail("parse", "cannot fetch %s: %s", url, curl_easy_strerror(rc));
    }
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_getinfo(c, CURLINFO_EFFECTIVE_URL, &eff);
    *effective = vg_strdup(eff ? eff : url);
    curl_easy_cleanup(c);
    if (status >= 400)
        return app_fail("parse", "cannot fetch %s: HTTP %ld", url, status);
    return APP_OK;
}

static int read_file(const char *path, vg_buf *b)
{
    FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    char chunk[65536];
    size_t n;
    if (!fp)
        return app_fail("parse", "cannot open %s", path);
    while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
        if (vg_buf_append(b, chunk, n) != VG_OK)
            break;
    int bad = ferror(fp) || b->err != VG_OK;
    if (fp != stdin)
        fclose(fp);
    if (bad)
        return app_fail("parse", "cannot read %s%s", path,
                        b->err == VG_ETOOBIG ? ": too big" : "");
    return APP_OK;
}

static int run_dates(int json)
{
    char line[PARSE_DATE_LINE_MAX];
    while (fgets(line, sizeof line, stdin)) {
        size_t n = strcspn(line, "\r\n");
        line[n] = '\0';
        int64_t t;
        char iso[32];
        int ok = date_parse_flags(line, DATE_REDUCED, &t) == VG_OK &&
                 date_format_utc(t, iso, sizeof iso) == VG_OK;
        if (json) {
            json_t *o = json_object();
            json_t *in = json_string(line); /* NULL when not UTF-8 */
            json_object_set_new(o, "input", in ? in : json_string(""));
            json_object_set_new(o, "output", ok ? json_string(iso) : json_null());
            char *s = json_dumps(o, JSON_COMPACT);
            if (s)
                printf("%s\n", s);
            free(s);
            json_decref(o);
        } else {
            printf("%s\n", ok ? iso : "null");
        }
    }
    return APP_OK;
}

static int print_html(const char *data, size_t len, const char *base, const char *ctype,
                      int text_only)
{
    html_doc *d = NULL;
    vg_err rc = html_extract(data, len, base, ctype, &d);
    if (rc != VG_OK)
        return app_fail("parse", "%s", vg_error_last());
    if (text_only) {
        printf("%s\n", d->text ? d->text : "");
        html_doc_free(d);
        return APP_OK;
    }
    json_t *o = json_object();
    json_object_set_new(o, "title", d->title ? json_string(d->title) : json_null());
    json_object_set_new(o, "text", json_string(d->text ? d->text : ""));
    json_object_set_new(o, "lang", d->lang ? json_string(d->lang) : json_null());
    json_object_set_new(o, "canonical", d->canonical ? json_string(d->canonical) : json_null());
    json_object_set_new(o, "author", d->author ? json_string(d->author) : json_null());
    char iso[32];
    json_object_set_new(o, "published",
                        d->published && date_format_utc(d->published, iso, sizeof iso) == VG_OK
                            ? json_string(iso)
                            : json_null());
    json_t *links = json_array();
    for (size_t i = 0; i < d->n_feed_links; i++)
        json_array_append_new(links, json_string(d->feed_links[i]));
    json_object_set_new(o, "feed_links", links);
    char *s = json_dumps(o, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
    if (s)
        printf("%s\n", s);
    free(s);
    json_decref(o);
    html_doc_free(d);
    return APP_OK;
}

int cmd_parse(app_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {
        {"as", required_argument, NULL, 'a'},     {"url", required_argument, NULL, 'u'},
        {"header", required_argument, NULL, 'H'}, {"format", required_argument, NULL, 'F'},
        {"markup", required_argument, NULL, 'm'}, {"text", no_argument, NULL, 't'},
        {"dates", no_argument, NULL, 'd'},        {"help", no_argument, NULL, 'h'},
        {0}};
    const char *as = NULL, *base = NULL, *format = "json";
    const char *headers[PARSE_MAX_HEADERS];
    int n_headers = 0, markup_text = 0, format_given = 0, text_only = 0, dates = 0, c;
    int status = APP_OK;
    fetched f = {0};
    char *effective = NULL, *model = NULL;
    (void)ctx;
    vg_buf_init(&f.body, FEED_MAX_BYTES);
    optind = 1;
    while ((c = app_getopt("parse", argc, argv, "hH:", opts)) != -1) {
        switch (c) {
        case 'a':
            if (strcmp(optarg, "feed") != 0 && strcmp(optarg, "html") != 0)
                return app_usage_error("parse", "bad --as '%s' (feed or html)", optarg);
            as = optarg;
            break;
        case 'u': base = optarg; break;
        case 'H':
            if (n_headers == PARSE_MAX_HEADERS || !strchr(optarg, ':'))
                return app_usage_error("parse", "bad --header '%s' (Name: value)", optarg);
            headers[n_headers++] = optarg;
            break;
        case 'F':
            if (strcmp(optarg, "json") != 0 && strcmp(optarg, "text") != 0)
                return app_usage_error("parse", "bad --format '%s' (json or text)", optarg);
            format = optarg;
            format_given = 1;
            break;
        case 'm':
            if (strcmp(optarg, "text") != 0 && strcmp(optarg, "raw") != 0)
                return app_usage_error("parse", "bad --markup '%s' (raw or text)", optarg);
            markup_text = strcmp(optarg, "text") == 0;
            break;
        case 't': text_only = 1; break;
        case 'd': dates = 1; break;
        case 'h': return usage();
        default: return APP_USAGE;
        }
    }
    if (dates) {
        if (optind < argc)
            return app_usage_error("parse", "--dates reads standard input, not '%s'",
                                   argv[optind]);
        return run_dates(format_given && strcmp(format, "json") == 0);
    }
    if (strcmp(format, "json") != 0)
        return app_usage_error("parse", "bad --format '%s' (documents print json)", format);
    if (optind + 1 != argc)
        return app_usage_error("parse", optind < argc ? "unexpected argument '%s'"
                                                      : "missing FILE or URL%s",
                               optind < argc ? argv[optind + 1] : "");
    const char *src = argv[optind];
    feed_global_init();
    if (strncmp(src, "http://", 7) == 0 || strncmp(src, "https://", 8) == 0) {
        status = fetch_url(src, &f, &effective);
        if (status != APP_OK)
            goto cleanup;
        if (!base)
            base = effective;
    } else {
        status = read_file(src, &f.body);
        if (status != APP_OK)
            goto cleanup;
    }
    /* --header wins over what the server said. */
    for (int i = 0; i < n_headers; i++) {
        const char *colon = strchr(headers[i], ':');
        size_t nl = (size_t)(colon - headers[i]);
        const char *v = colon + 1;
        while (*v == ' ' || *v == '\t')
            v++;
        char **slot = nl == 12 && strncasecmp(headers[i], "Content-Type", nl) == 0
                          ? &f.content_type
                      : nl == 16 && strncasecmp(headers[i], "Content-Location", nl) == 0
                          ? &f.content_location
                      : nl == 16 && strncasecmp(headers[i], "Content-Language", nl) == 0
                          ? &f.content_language
                          : NULL;
        if (slot) {
            free(*slot);
            *slot = vg_strdup(v);
        }
    }
    const char *data = f.body.ptr ? f.body.ptr : "";
    size_t len = f.body.len;
    if (!as) {
        size_t i = 0;
        while (i < len && (data[i] == ' ' || data[i] == '\n' || data[i] == '\r' ||
                           data[i] == '\t'))
            i++;
        as = feed_sniff(data, len) || (i < len && data[i] == '{') ? "feed" : "html";
        /* An XML document that is not obviously a feed is still better
         * read as one than as a web page. */
        if (strcmp(as, "html") == 0 && len >= 5 && memcmp(data + i, "<?xml", 5) == 0)
            as = "feed";
    }
    if (strcmp(as, "html") == 0) {
        status = print_html(data, len, base, f.content_type, text_only);
        goto cleanup;
    }
    feed_model_opts mo = FEED_MODEL_OPTS_INIT;
    mo.url = base;
    mo.content_type = f.content_type;
    mo.content_location = f.content_location;
    mo.content_language = f.content_language;
    mo.markup_text = markup_text;
    vg_err rc = feed_model_json(data, len, &mo, &model);
    if (rc != VG_OK) {
        status = app_fail("parse", "%s: %s", src, vg_error_last());
        goto cleanup;
    }
    printf("%s\n", model);
cleanup:
    free(model);
    free(effective);
    free(f.content_type);
    free(f.content_location);
    free(f.content_language);
    vg_buf_free(&f.body);
    return status;
}
