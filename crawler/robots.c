/*
 * The RFC 9309 robots.txt parser and matcher behind crawler/robots.h.
 * Written by hand because no packaged C library implements the RFC; it is
 * small: a line scanner that builds groups, and a glob matcher for '*' and
 * a trailing '$'. Patterns and paths are brought to one percent-encoding
 * (unreserved characters decoded, everything else %XX in upper case) so
 * "/%7Efoo" and "/~foo" compare equal, as the RFC requires.
 */
#include "crawler/robots.h"

#include "core/buf.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A pattern longer than any sane path is ignored rather than stored. */
#define MAX_PATTERN 2048

typedef struct rule {
    char *pattern; /* normalised */
    size_t len;
    int allow;
} rule;

typedef struct group {
    char **agents; /* lower-case product tokens, "*" for any */
    size_t nagents;
    rule *rules;
    size_t nrules;
    long crawl_delay_ms; /* -1: the group gave none */
} group;

struct robots {
    group *groups;
    size_t ngroups;
    char **sitemaps;
    size_t nsitemaps;
};

void robots_free(robots *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->ngroups; i++) {
        group *g = &r->groups[i];
        for (size_t j = 0; j < g->nagents; j++)
            free(g->agents[j]);
        for (size_t j = 0; j < g->nrules; j++)
            free(g->rules[j].pattern);
        free(g->agents);
        free(g->rules);
    }
    free(r->groups);
    for (size_t i = 0; i < r->nsitemaps; i++)
        free(r->sitemaps[i]);
    free(r->sitemaps);
    free(r);
}

static int is_unreserved(int c)
{
    return isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = tolower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Appends s[0..n) in the one encoding both sides are compared in.
 * Non-ASCII bytes are percent-encoded in patterns only (high = 1): a rule
 * may be written in UTF-8, but a URL must arrive encoded, as RFC 9309
 * 2.2.2 has the crawler do, so a raw byte in a path matches nothing. */
static void normalise(vg_buf *b, const char *s, size_t n, int high)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 &&
            hexval(s[i + 2]) >= 0) {
            int v = hexval(s[i + 1]) * 16 + hexval(s[i + 2]);
            if (is_unreserved(v)) {
                vg_buf_putc(b, (char)v);
            } else {
                vg_buf_putc(b, '%');
                vg_buf_putc(b, hex[v >> 4]);
                vg_buf_putc(b, hex[v & 15]);
            }
            i += 2;
        } else if ((c >= 0x80 && high) || c <= 0x20 || c == 0x7f) {
            vg_buf_putc(b, '%');
            vg_buf_putc(b, hex[c >> 4]);
            vg_buf_putc(b, hex[c & 15]);
        } else {
            vg_buf_putc(b, (char)c);
        }
    }
}

/* The leading product token of a User-Agent value, lower-cased. */
static size_t agent_token(const char *s, size_t n, char *out, size_t cap)
{
    size_t k = 0;
    for (size_t i = 0; i < n && k + 1 < cap; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!(isalpha(c) || c == '_' || c == '-' || (c == '*' && i == 0)))
            break;
        out[k++] = (char)tolower(c);
        if (c == '*')
            break;
    }
    out[k] = '\0';
    return k;
}

typedef struct builder {
    robots *r;
    int in_agents; /* the last meaningful line was a user-agent line */
    vg_err err;
} builder;

static group *new_group(builder *bd)
{
    robots *r = bd->r;
    group *g = realloc(r->groups, (r->ngroups + 1) * sizeof(*g));
    if (!g) {
        bd->err = VG_ENOMEM;
        return NULL;
    }
    r->groups = g;
    g = &r->groups[r->ngroups++];
    memset(g, 0, sizeof(*g));
    g->crawl_delay_ms = -1;
    return g;
}

static void add_agent(builder *bd, const char *v, size_t n)
{
    char tok[128];
    if (agent_token(v, n, tok, sizeof(tok)) == 0)
        tok[0] = '\0'; /* keeps the group shape; matches nobody */
    group *g = bd->in_agents && bd->r->ngroups
                   ? &bd->r->groups[bd->r->ngroups - 1]
                   : new_group(bd);
    if (!g)
        return;
    char **a = realloc(g->agents, (g->nagents + 1) * sizeof(*a));
    if (!a) {
        bd->err = VG_ENOMEM;
        return;
    }
    g->agents = a;
    if (!(a[g->nagents] = strdup(tok))) {
        bd->err = VG_ENOMEM;
        return;
    }
    g->nagents++;
    bd->in_agents = 1;
}

static void add_rule(builder *bd, int allow, const char *v, size_t n)
{
    bd->in_agents = 0;
    /* Rules before any user-agent line belong to no group. An empty
     * Disallow allows everything, which is what no rule does too. */
    if (bd->r->ngroups == 0 || n == 0 || n > MAX_PATTERN)
        return;
    group *g = &bd->r->groups[bd->r->ngroups - 1];
    vg_buf b;
    vg_buf_init(&b, MAX_PATTERN * 3 + 1);
    normalise(&b, v, n, 1);
    if (b.err != VG_OK) {
        if (b.err == VG_ENOMEM)
            bd->err = VG_ENOMEM;
        vg_buf_free(&b);
        return;
    }
    rule *rl = realloc(g->rules, (g->nrules + 1) * sizeof(*rl));
    if (!rl) {
        vg_buf_free(&b);
        bd->err = VG_ENOMEM;
        return;
    }
    g->rules = rl;
    rl[g->nrules].len = b.len;
    rl[g->nrules].allow = allow;
    rl[g->nrules].pattern = vg_buf_detach(&b);
    if (!rl[g->nrules].pattern) {
        bd->err = VG_ENOMEM;
        return;
    }
    g->nrules++;
}

/* Crawl-delay is outside the RFC but widely used: seconds, possibly with
 * a fraction. It belongs to the group being built; a value that is not a
 * plain non-negative number is ignored. */
static void set_crawl_delay(builder *bd, const char *v, size_t n)
{
    if (bd->r->ngroups == 0 || n == 0 || n > 32)
        return;
    long ms = 0, scale = 0;
    for (size_t i = 0; i < n; i++) {
        if (v[i] == '.' && scale == 0) {
            scale = 1000;
            continue;
        }
        if (v[i] < '0' || v[i] > '9')
            return;
        if (scale == 0) {
            if (ms > 86400000L)
                continue; /* absurdly long: the fetcher caps it anyway */
            ms = ms * 10 + (v[i] - '0') * 1000L;
        } else if ((scale /= 10) > 0) {
            ms += (v[i] - '0') * scale;
        }
    }
    /* Several groups may share the run of agents being built: the value
     * goes to the last one, which is the one rules are added to. */
    bd->r->groups[bd->r->ngroups - 1].crawl_delay_ms = ms;
}

static void add_sitemap(builder *bd, const char *v, size_t n)
{
    if (n == 0 || n > MAX_PATTERN || bd->r->nsitemaps >= 1024)
        return;
    char **a = realloc(bd->r->sitemaps, (bd->r->nsitemaps + 1) * sizeof(*a));
    if (!a) {
        bd->err = VG_ENOMEM;
        return;
    }
    bd->r->sitemaps = a;
    if (!(a[bd->r->nsitemaps] = vg_strndup(v, n))) {
        bd->err = VG_ENOMEM;
        return;
    }
    bd->r->nsitemaps++;
}

static int key_is(const char *k, size_t n, const char *name)
{
    return strlen(name) == n && strncasecmp(k, name, n) == 0;
}

static void parse_line(builder *bd, const char *s, size_t n)
{
    const char *hash = memchr(s, '#', n);
    if (hash)
        n = (size_t)(hash - s);
    const char *colon = memchr(s, ':', n);
    if (!colon)
        return;
    const char *k = s;
    size_t kn = (size_t)(colon - s);
    while (kn > 0 && isspace((unsigned char)*k)) {
        k++;
        kn--;
    }
    while (kn > 0 && isspace((unsigned char)k[kn - 1]))
        kn--;
    const char *v = colon + 1;
    size_t vn = n - (size_t)(v - s);
    while (vn > 0 && isspace((unsigned char)*v)) {
        v++;
        vn--;
    }
    while (vn > 0 && isspace((unsigned char)v[vn - 1]))
        vn--;
    /* Common misspellings are accepted, as the RFC allows. */
    if (key_is(k, kn, "user-agent") || key_is(k, kn, "useragent") ||
        key_is(k, kn, "user agent"))
        add_agent(bd, v, vn);
    else if (key_is(k, kn, "allow"))
        add_rule(bd, 1, v, vn);
    else if (key_is(k, kn, "disallow") || key_is(k, kn, "dissallow") ||
             key_is(k, kn, "disalow"))
        add_rule(bd, 0, v, vn);
    else if (key_is(k, kn, "crawl-delay"))
        set_crawl_delay(bd, v, vn);
    else if (key_is(k, kn, "sitemap") || key_is(k, kn, "site-map"))
        add_sitemap(bd, v, vn);
    /* Other records (sitemap, crawl-delay, ...) do not end a user-agent
     * run: the RFC only lets rules do that. */
}

vg_err robots_parse(const char *data, size_t len, robots **out)
{
    *out = NULL;
    builder bd = {.r = calloc(1, sizeof(robots)), .in_agents = 0, .err = VG_OK};
    if (!bd.r)
        return vg_error_set(VG_ENOMEM, "robots");
    if (len > ROBOTS_MAX_BYTES)
        len = ROBOTS_MAX_BYTES;
    size_t i = 0;
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        i = 3;
    while (i < len && bd.err == VG_OK) {
        size_t start = i;
        while (i < len && data[i] != '\n' && data[i] != '\r')
            i++;
        parse_line(&bd, data + start, i - start);
        if (i < len && data[i] == '\r')
            i++;
        if (i < len && data[i] == '\n')
            i++;
    }
    if (bd.err != VG_OK) {
        robots_free(bd.r);
        return vg_error_set(bd.err, "robots: out of memory");
    }
    *out = bd.r;
    return VG_OK;
}

/* Glob match of a normalised pattern against the start of a normalised
 * path: '*' is any run of bytes, a final '$' pins the end. Backtracks only
 * to the last '*', so the cost stays at pattern x path in the worst case. */
static int pattern_matches(const char *p, size_t pn, const char *s)
{
    int anchored = pn > 0 && p[pn - 1] == '$';
    if (anchored)
        pn--;
    size_t pi = 0, si = 0, star = (size_t)-1, mark = 0;
    size_t sn = strlen(s);
    for (;;) {
        if (pi == pn) {
            if (!anchored || si == sn)
                return 1;
        } else if (p[pi] == '*') {
            star = pi++;
            mark = si;
            continue;
        } else if (si < sn && p[pi] == s[si]) {
            pi++;
            si++;
            continue;
        }
        if (star == (size_t)-1 || mark >= sn)
            return 0;
        pi = star + 1;
        si = ++mark;
    }
}

static int group_names(const group *g, const char *tok)
{
    for (size_t i = 0; i < g->nagents; i++)
        if (strcmp(g->agents[i], tok) == 0)
            return 1;
    return 0;
}

/* The agent name whose groups apply to agent: its own product token when
 * some group names it, else "*". tok is the caller's storage. */
static const char *group_key(const robots *r, const char *agent, char *tok,
                             size_t cap)
{
    agent_token(agent ? agent : "", agent ? strlen(agent) : 0, tok, cap);
    if (tok[0] && strcmp(tok, "*") != 0)
        for (size_t i = 0; i < r->ngroups; i++)
            if (group_names(&r->groups[i], tok))
                return tok;
    return "*";
}

long robots_crawl_delay_ms(const robots *r, const char *agent)
{
    if (!r)
        return -1;
    char tok[128];
    const char *want = group_key(r, agent, tok, sizeof(tok));
    long best = -1;
    /* Merged groups: the largest delay any of them asks for. */
    for (size_t i = 0; i < r->ngroups; i++)
        if (group_names(&r->groups[i], want) &&
            r->groups[i].crawl_delay_ms > best)
            best = r->groups[i].crawl_delay_ms;
    return best;
}

size_t robots_sitemap_count(const robots *r)
{
    return r ? r->nsitemaps : 0;
}

const char *robots_sitemap(const robots *r, size_t i)
{
    return r && i < r->nsitemaps ? r->sitemaps[i] : NULL;
}

int robots_allowed(const robots *r, const char *agent, const char *path)
{
    if (!path || !*path)
        path = "/";
    if (strcmp(path, "/robots.txt") == 0 || !r)
        return 1;
    char tok[128];
    const char *want = group_key(r, agent, tok, sizeof(tok));

    vg_buf b;
    vg_buf_init(&b, strlen(path) * 3 + 1);
    normalise(&b, path, strlen(path), 0);
    if (b.err != VG_OK) {
        /* Out of memory: refusing is the polite failure. */
        vg_buf_free(&b);
        return 0;
    }
    const char *s = vg_buf_str(&b);
    int allowed = 1;
    size_t best = 0;
    int found = 0;
    /* Every group naming the agent counts, merged, as the RFC says. */
    for (size_t i = 0; i < r->ngroups; i++) {
        const group *g = &r->groups[i];
        if (!group_names(g, want))
            continue;
        for (size_t j = 0; j < g->nrules; j++) {
            const rule *rl = &g->rules[j];
            if (!pattern_matches(rl->pattern, rl->len, s))
                continue;
            if (!found || rl->len > best || (rl->len == best && rl->allow)) {
                allowed = rl->allow;
                best = rl->len;
                found = 1;
            }
        }
    }
    vg_buf_free(&b);
    return allowed;
}
