/*
 * libxml2 set up for hostile documents, shared by the feed and OPML
 * readers. Feeds come from anywhere: the parser runs with network access,
 * DTD loading and entity substitution off, errors go to a per-document
 * record instead of stderr, and every tree walk here is iterative and
 * refuses to expand entities (a billion laughs stays three lines of
 * text). Feeds also use HTML named entities (&nbsp;, &eacute;) without
 * declaring them, which XML does not allow; they are rewritten to numeric
 * references before parsing so the text survives.
 */
#include "parser/feed_int.h"

#include <ctype.h>
#include <libxml/HTMLparser.h>
#include <libxml/entities.h>
#include <libxml/xmlerror.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Longest entity name we look up, and the longest flat internal entity
 * value we are willing to inline. */
#define ENTITY_NAME_MAX 10
/* Longest undeclared name kept as literal text. */
#define ENTITY_SCAN_MAX 40
#define ENTITY_INLINE_MAX 1024

/* HTML 4 names for U+00A0..U+00FF, in code point order. */
static const char *const latin1_names[96] = {
    "nbsp",   "iexcl",  "cent",   "pound",  "curren", "yen",    "brvbar",
    "sect",   "uml",    "copy",   "ordf",   "laquo",  "not",    "shy",
    "reg",    "macr",   "deg",    "plusmn", "sup2",   "sup3",   "acute",
    "micro",  "para",   "middot", "cedil",  "sup1",   "ordm",   "raquo",
    "frac14", "frac12", "frac34", "iquest", "Agrave", "Aacute", "Acirc",
    "Atilde", "Auml",   "Aring",  "AElig",  "Ccedil", "Egrave", "Eacute",
    "Ecirc",  "Euml",   "Igrave", "Iacute", "Icirc",  "Iuml",   "ETH",
    "Ntilde", "Ograve", "Oacute", "Ocirc",  "Otilde", "Ouml",   "times",
    "Oslash", "Ugrave", "Uacute", "Ucirc",  "Uuml",   "Yacute", "THORN",
    "szlig",  "agrave", "aacute", "acirc",  "atilde", "auml",   "aring",
    "aelig",  "ccedil", "egrave", "eacute", "ecirc",  "euml",   "igrave",
    "iacute", "icirc",  "iuml",   "eth",    "ntilde", "ograve", "oacute",
    "ocirc",  "otilde", "ouml",   "divide", "oslash", "ugrave", "uacute",
    "ucirc",  "uuml",   "yacute", "thorn",  "yuml"};

/* The rest of HTML 4's named entities: Latin Extended, typography,
 * Greek, arrows, mathematical and technical symbols, card suits. */
static const struct {
    const char *name;
    unsigned cp;
} other_entities[] = {
    {"OElig", 338},   {"oelig", 339},   {"Scaron", 352},  {"scaron", 353},
    {"Yuml", 376},    {"fnof", 402},    {"circ", 710},    {"tilde", 732},
    {"ensp", 8194},   {"emsp", 8195},   {"thinsp", 8201}, {"zwnj", 8204},
    {"zwj", 8205},    {"lrm", 8206},    {"rlm", 8207},    {"ndash", 8211},
    {"mdash", 8212},  {"lsquo", 8216},  {"rsquo", 8217},  {"sbquo", 8218},
    {"ldquo", 8220},  {"rdquo", 8221},  {"bdquo", 8222},  {"dagger", 8224},
    {"Dagger", 8225}, {"bull", 8226},   {"hellip", 8230}, {"permil", 8240},
    {"prime", 8242},  {"Prime", 8243},  {"lsaquo", 8249}, {"rsaquo", 8250},
    {"oline", 8254},  {"frasl", 8260},  {"euro", 8364},   {"trade", 8482},
    {"larr", 8592},   {"uarr", 8593},   {"rarr", 8594},   {"darr", 8595},
    {"harr", 8596},   {"minus", 8722},  {"infin", 8734},  {"ne", 8800},
    {"le", 8804},     {"ge", 8805},     {"hearts", 9829}, {"Alpha", 913},
    {"Beta", 914},    {"Gamma", 915},   {"Delta", 916},   {"Epsilon", 917},
    {"Zeta", 918},    {"Eta", 919},     {"Theta", 920},   {"Iota", 921},
    {"Kappa", 922},   {"Lambda", 923},  {"Mu", 924},      {"Nu", 925},
    {"Xi", 926},      {"Omicron", 927}, {"Pi", 928},      {"Rho", 929},
    {"Sigma", 931},   {"Tau", 932},     {"Upsilon", 933}, {"Phi", 934},
    {"Chi", 935},     {"Psi", 936},     {"Omega", 937},   {"alpha", 945},
    {"beta", 946},    {"gamma", 947},   {"delta", 948},   {"epsilon", 949},
    {"zeta", 950},    {"eta", 951},     {"theta", 952},   {"iota", 953},
    {"kappa", 954},   {"lambda", 955},  {"mu", 956},      {"nu", 957},
    {"xi", 958},      {"omicron", 959}, {"pi", 960},      {"rho", 961},
    {"sigmaf", 962},  {"sigma", 963},   {"tau", 964},     {"upsilon", 965},
    {"phi", 966},     {"chi", 967},     {"psi", 968},     {"omega", 969},
    {"thetasym", 977}, {"upsih", 978},  {"piv", 982},     {"weierp", 8472},
    {"image", 8465},  {"real", 8476},   {"alefsym", 8501}, {"crarr", 8629},
    {"lArr", 8656},   {"uArr", 8657},   {"rArr", 8658},   {"dArr", 8659},
    {"hArr", 8660},   {"forall", 8704}, {"part", 8706},   {"exist", 8707},
    {"empty", 8709},  {"nabla", 8711},  {"isin", 8712},   {"notin", 8713},
    {"ni", 8715},     {"prod", 8719},   {"sum", 8721},    {"lowast", 8727},
    {"radic", 8730},  {"prop", 8733},   {"ang", 8736},    {"and", 8743},
    {"or", 8744},     {"cap", 8745},    {"cup", 8746},    {"int", 8747},
    {"there4", 8756}, {"sim", 8764},    {"cong", 8773},   {"asymp", 8776},
    {"equiv", 8801},  {"sub", 8834},    {"sup", 8835},    {"nsub", 8836},
    {"sube", 8838},   {"supe", 8839},   {"oplus", 8853},  {"otimes", 8855},
    {"perp", 8869},   {"sdot", 8901},   {"lceil", 8968},  {"rceil", 8969},
    {"lfloor", 8970}, {"rfloor", 8971}, {"lang", 9001},   {"rang", 9002},
    {"loz", 9674},    {"spades", 9824}, {"clubs", 9827},  {"diams", 9830},
    {NULL, 0}};

/* Code point of an HTML entity name (case-sensitive, as HTML is), or 0.
 * The five XML entities are not listed: libxml2 handles them. */
static unsigned html_entity(const char *name, size_t n)
{
    for (int i = 0; i < 96; i++)
        if (strlen(latin1_names[i]) == n && memcmp(latin1_names[i], name, n) == 0)
            return 0xA0u + (unsigned)i;
    for (int i = 0; other_entities[i].name; i++)
        if (strlen(other_entities[i].name) == n &&
            memcmp(other_entities[i].name, name, n) == 0)
            return other_entities[i].cp;
    return 0;
}

/* The five entities XML predefines. */
static int xml_entity(const char *name, size_t n)
{
    static const char *const names[] = {"amp", "lt", "gt", "quot", "apos", NULL};
    for (int i = 0; names[i]; i++)
        if (strlen(names[i]) == n && memcmp(names[i], name, n) == 0)
            return 1;
    return 0;
}

static const char *find(const char *p, const char *end, const char *needle)
{
    size_t n = strlen(needle);
    while ((size_t)(end - p) >= n) {
        const char *q = memchr(p, needle[0], (size_t)(end - p) - n + 1);
        if (!q)
            return NULL;
        if (memcmp(q, needle, n) == 0)
            return q;
        p = q + 1;
    }
    return NULL;
}

static int is_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9');
}

/* Rewrites undeclared HTML entities to numeric references, outside CDATA
 * sections and comments (where "&eacute;" is literal text). Works on the
 * raw bytes, which is safe for every ASCII-compatible charset; a UTF-16
 * document simply has no match. *out is NULL when nothing changed. */
static vg_err rewrite_entities(const char *data, size_t len, char **out,
                               size_t *out_len, int *literal)
{
    const char *p = data, *end = data + len, *copied = data;
    vg_buf b;
    int used = 0;
    /* A document with its own <!ENTITY> declarations keeps its unknown
     * names for the parser to resolve. */
    int declares_entities = find(data, end, "<!ENTITY") != NULL;
    *out = NULL;
    /* A bare '&' becomes "&amp;": never more than five times the input. */
    vg_buf_init(&b, len * 5 + 16);
    /* One linear pass: each byte is looked at once (a scan for '&'
     * restarted after every tag would be quadratic on big feeds). */
    while (p < end) {
        if (*p == '<') {
            const char *close = NULL;
            if ((size_t)(end - p) >= 9 && memcmp(p, "<![CDATA[", 9) == 0)
                close = find(p + 9, end, "]]>");
            else if ((size_t)(end - p) >= 4 && memcmp(p, "<!--", 4) == 0)
                close = find(p + 4, end, "-->");
            else {
                p++;
                continue;
            }
            if (!close)
                break; /* unterminated: the parser will complain */
            p = close + 3;
            continue;
        }
        if (*p != '&') {
            p++;
            continue;
        }
        const char *amp = p;
        const char *q = amp + 1;
        if (q < end && *q == '#') {
            /* A character reference: "&#X41;" (upper-case X) is a common
             * slip that XML refuses; digits must be there and end in ';'. */
            const char *d = q + 1;
            int hex = d < end && (*d == 'x' || *d == 'X');
            if (hex)
                d++;
            const char *ds = d;
            while (d < end && d - ds < 10 &&
                   (hex ? isxdigit((unsigned char)*d) : isdigit((unsigned char)*d)))
                d++;
            if (d > ds && d < end && *d == ';') {
                if (hex && q[1] == 'X') {
                    vg_buf_append(&b, copied, (size_t)(q + 1 - copied));
                    vg_buf_putc(&b, 'x');
                    copied = q + 2;
                    used = 1;
                }
                p = d + 1;
                continue;
            }
        }
        while (q < end && q - amp - 1 <= ENTITY_SCAN_MAX && is_name_char(*q))
            q++;
        int named = q < end && *q == ';' && q > amp + 1 && q - amp - 1 <= ENTITY_SCAN_MAX;
        unsigned cp = 0;
        if (named && q - amp - 1 <= ENTITY_NAME_MAX)
            cp = html_entity(amp + 1, (size_t)(q - amp - 1));
        if (cp) {
            vg_buf_append(&b, copied, (size_t)(amp - copied));
            vg_buf_printf(&b, "&#%u;", cp);
            copied = q + 1;
            used = 1;
        } else if (!declares_entities &&
                   !(named && xml_entity(amp + 1, (size_t)(q - amp - 1)))) {
            /* Declared nowhere, or a bare '&' ("?a=1&b=2"): a reader sees
             * the characters as written, so keep them as text rather than
             * let the parser drop them. */
            vg_buf_append(&b, copied, (size_t)(amp - copied));
            vg_buf_puts(&b, "&amp;");
            copied = amp + 1;
            used = 1;
            *literal = 1;
        }
        if (q == amp + 1)
            q++;
        p = q;
    }
    if (used) {
        vg_buf_append(&b, copied, (size_t)(end - copied));
        if (b.err != VG_OK) {
            vg_err rc = b.err;
            vg_buf_free(&b);
            return rc == VG_ENOMEM ? VG_ENOMEM : vg_error_set(rc, "feed too big");
        }
        *out_len = b.len;
        *out = vg_buf_detach(&b);
        if (!*out)
            return VG_ENOMEM;
    }
    vg_buf_free(&b);
    return VG_OK;
}

/* Length of the valid UTF-8 sequence at p (at most n bytes), or 0:
 * overlong forms, surrogates and code points past U+10FFFF are invalid. */
static size_t utf8_valid_len(const unsigned char *p, size_t n)
{
    if (p[0] < 0x80)
        return 1;
    size_t len;
    unsigned cp;
    if (p[0] >= 0xC2 && p[0] <= 0xDF) {
        len = 2;
        cp = p[0] & 0x1F;
    } else if (p[0] >= 0xE0 && p[0] <= 0xEF) {
        len = 3;
        cp = p[0] & 0x0F;
    } else if (p[0] >= 0xF0 && p[0] <= 0xF4) {
        len = 4;
        cp = p[0] & 0x07;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
        (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
        return 0;
    return len;
}

static void put_utf8(vg_buf *b, unsigned cp)
{
    char u[4];
    size_t n;
    if (cp < 0x80) {
        u[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xC0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else {
        u[0] = (char)(0xE0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    }
    vg_buf_append(b, u, n);
}

/* windows-1252 for 0x80..0x9F (the rest of the high half is Latin-1);
 * its five holes become U+FFFD. */
static const unsigned short cp1252_high[32] = {
    0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD,
    0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178};

/* The encoding named by the XML declaration, if any, into out. */
static int declared_encoding(const char *d, size_t len, char *out, size_t cap)
{
    if (len < 5 || memcmp(d, "<?xml", 5) != 0)
        return 0;
    const char *end = d + (len < 256 ? len : 256);
    const char *close = find(d, end, "?>");
    const char *p = close ? find(d, close, "encoding") : NULL;
    if (!p)
        return 0;
    p += 8;
    while (p < close && (*p == ' ' || *p == '=' || *p == '\t'))
        p++;
    if (p >= close || (*p != '"' && *p != '\''))
        return 0;
    char q = *p++;
    size_t n = 0;
    while (p + n < close && p[n] != q && n + 1 < cap)
        n++;
    memcpy(out, p, n);
    out[n] = '\0';
    return 1;
}

/* Documents that are UTF-8 by declaration or default but carry bytes
 * that are not (a Latin-1 CMS behind a UTF-8 default): libxml2 would
 * copy those bytes through raw. Each invalid byte is read as
 * windows-1252 instead, which is what such bytes nearly always are,
 * while the valid UTF-8 around it is kept. *out NULL when valid. */
static vg_err repair_utf8(const char *data, size_t len, char **out, size_t *out_len)
{
    const unsigned char *u = (const unsigned char *)data;
    size_t i = 0;
    *out = NULL;
    while (i < len) {
        if (u[i] < 0x80) { /* ASCII needs no decoding */
            i++;
            continue;
        }
        size_t k = utf8_valid_len(u + i, len - i);
        if (!k)
            break;
        i += k;
    }
    if (i == len)
        return VG_OK;
    vg_buf b;
    vg_buf_init(&b, len * 3 + 16);
    vg_buf_append(&b, data, i);
    while (i < len) {
        size_t k = utf8_valid_len(u + i, len - i);
        if (k) {
            vg_buf_append(&b, data + i, k);
            i += k;
            continue;
        }
        put_utf8(&b, u[i] >= 0xA0 ? u[i] : cp1252_high[u[i] - 0x80]);
        i++;
    }
    if (b.err != VG_OK) {
        vg_err rc = b.err;
        vg_buf_free(&b);
        return rc == VG_ENOMEM ? VG_ENOMEM : vg_error_set(rc, "document too big");
    }
    *out_len = b.len;
    *out = vg_buf_detach(&b);
    return *out ? VG_OK : VG_ENOMEM;
}

static int is_utf8_label(const char *s)
{
    return strcasecmp(s, "utf-8") == 0 || strcasecmp(s, "utf8") == 0;
}

/* Structured error sink for one parse: remembers the first error and
 * prints nothing. userData is the parser context itself. */
static void on_xml_error(void *user, xmlErrorPtr err)
{
    xmlParserCtxtPtr ctxt = user;
    xml_result *r = ctxt ? ctxt->_private : NULL;
    if (!r || !err || r->first_error[0] || err->level < XML_ERR_ERROR)
        return;
    const char *msg = err->message ? err->message : "malformed XML";
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
        n--;
    snprintf(r->first_error, sizeof r->first_error, "line %d: %.*s",
             err->line, (int)(n > 150 ? 150 : n), msg);
}

static int starts_with_bom(const char *d, size_t len)
{
    const unsigned char *u = (const unsigned char *)d;
    return (len >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF) ||
           (len >= 2 && ((u[0] == 0xFE && u[1] == 0xFF) || (u[0] == 0xFF && u[1] == 0xFE)));
}

vg_err feed_xml_read(const char *data, size_t len, const char *encoding,
                     xml_result *r)
{
    char *rewritten = NULL, *repaired = NULL;
    size_t rlen = 0;
    xmlParserCtxtPtr ctxt = NULL;
    char declared[40];
    vg_err rc = VG_OK;
    memset(r, 0, sizeof *r);
    /* The HTTP charset wins over the XML declaration (RFC 7303), but a
     * byte order mark is stronger evidence than either. */
    if (encoding && starts_with_bom(data, len))
        encoding = NULL;
    if (!starts_with_bom(data, len) &&
        (encoding ? is_utf8_label(encoding)
                  : !declared_encoding(data, len, declared, sizeof declared) ||
                        is_utf8_label(declared))) {
        rc = repair_utf8(data, len, &repaired, &rlen);
        if (rc != VG_OK)
            goto cleanup;
        if (repaired) {
            data = repaired;
            len = rlen;
            snprintf(r->first_error, sizeof r->first_error,
                     "not valid UTF-8: stray bytes read as windows-1252");
            r->bozo = 1;
        }
    }
    rc = rewrite_entities(data, len, &rewritten, &rlen, &r->literal_amp);
    if (rc != VG_OK)
        goto cleanup;
    if (rewritten) {
        r->entities_rewritten = 1;
        data = rewritten;
        len = rlen;
    }
    if (len > INT32_MAX) {
        rc = vg_error_set(VG_ETOOBIG, "document too big");
        goto cleanup;
    }
    ctxt = xmlNewParserCtxt();
    if (!ctxt) {
        rc = VG_ENOMEM;
        goto cleanup;
    }
    /* Our own sink: libxml2 must not print, and the global handlers are
     * shared by every thread. */
    ctxt->sax->serror = on_xml_error;
    ctxt->sax->error = NULL;
    ctxt->sax->warning = NULL;
    ctxt->_private = r;
    /* Never NOENT (entity substitution: billion laughs, XXE), DTDLOAD
     * (fetches the external subset) or HUGE (lifts the size and depth
     * limits that protect us). */
    int opts = XML_PARSE_NONET | XML_PARSE_RECOVER | XML_PARSE_NOERROR |
               XML_PARSE_NOWARNING | XML_PARSE_NOCDATA;
    if (encoding)
        opts |= XML_PARSE_IGNORE_ENC;
    r->doc = xmlCtxtReadMemory(ctxt, data, (int)len, NULL, encoding, opts);
    r->bozo |= !ctxt->wellFormed || !ctxt->nsWellFormed;
    if (r->bozo && !r->first_error[0])
        snprintf(r->first_error, sizeof r->first_error, "malformed XML");
cleanup:
    if (ctxt) {
        ctxt->_private = NULL;
        xmlFreeParserCtxt(ctxt);
    }
    free(rewritten);
    free(repaired);
    return rc;
}

/* The value of an internal entity when it is flat text: no nested
 * reference, no markup, short. Anything else is left out, which is what
 * keeps expansion attacks and external entities (XXE) inert. */
static const char *flat_entity(const xmlNode *ref)
{
    if (!ref->doc || !ref->name)
        return NULL;
    xmlEntityPtr ent = xmlGetDocEntity(ref->doc, ref->name);
    if (!ent || ent->etype != XML_INTERNAL_GENERAL_ENTITY || !ent->content)
        return NULL;
    const char *v = (const char *)ent->content;
    if (strnlen(v, ENTITY_INLINE_MAX + 1) > ENTITY_INLINE_MAX || strchr(v, '&') ||
        strchr(v, '<'))
        return NULL;
    return v;
}

/* Pre-order walk of the subtree below first (siblings included), without
 * recursion, calling nothing: text is appended as found. */
static void list_text(const xmlNode *first, const xmlNode *stop, vg_buf *b)
{
    const xmlNode *n = first;
    while (n) {
        if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
            if (n->content)
                vg_buf_puts(b, (const char *)n->content);
        } else if (n->type == XML_ENTITY_REF_NODE) {
            const char *v = flat_entity(n);
            if (v)
                vg_buf_puts(b, v);
        } else if (n->type == XML_ELEMENT_NODE && n->children) {
            n = n->children;
            continue;
        }
        while (n && !n->next) {
            n = n->parent;
            if (n == stop)
                return;
        }
        if (n)
            n = n->next;
    }
}

void feed_xml_text(const xmlNode *node, vg_buf *b)
{
    if (node && node->children)
        list_text(node->children, node, b);
}

int feed_xml_is(const xmlNode *node, const char *local)
{
    return node && node->type == XML_ELEMENT_NODE && node->name &&
           strcasecmp((const char *)node->name, local) == 0;
}

char *feed_xml_attr(const xmlNode *node, const char *name, const char *ns_href)
{
    if (!node || node->type != XML_ELEMENT_NODE)
        return NULL;
    for (const xmlAttr *a = node->properties; a; a = a->next) {
        if (!a->name)
            continue;
        if (ns_href) {
            if (strcmp((const char *)a->name, name) != 0 || !a->ns || !a->ns->href ||
                strcmp((const char *)a->ns->href, ns_href) != 0)
                continue;
        } else if (strcasecmp((const char *)a->name, name) != 0) {
            continue;
        }
        vg_buf b;
        vg_buf_init(&b, 1u << 20);
        vg_buf_puts(&b, "");
        if (a->children)
            list_text(a->children, (const xmlNode *)a, &b);
        if (b.err != VG_OK) {
            vg_buf_free(&b);
            return NULL;
        }
        return vg_buf_detach(&b);
    }
    return NULL;
}

/* U+00A0 is whitespace for our purposes: it pads titles and breaks
 * brand matching when kept. */
static size_t space_at(const char *s, size_t i, size_t len, int *newline)
{
    unsigned char c = (unsigned char)s[i];
    if (c == '\n') {
        *newline = 1;
        return 1;
    }
    if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v')
        return 1;
    if (c == 0xC2 && i + 1 < len && (unsigned char)s[i + 1] == 0xA0)
        return 2;
    return 0;
}

char *feed_text_normalize(const char *s, size_t len, int single_line, vg_err *err)
{
    vg_buf b;
    vg_buf_init(&b, len * 3 + 1);
    size_t i = 0;
    int pending = 0, newline = 0;
    while (i < len) {
        size_t k = space_at(s, i, len, &newline);
        if (k) {
            pending = 1;
            i += k;
            continue;
        }
        if (pending && b.len)
            vg_buf_putc(&b, newline && !single_line ? '\n' : ' ');
        pending = 0;
        newline = 0;
        /* A run of printable ASCII goes out in one append: most text is
         * that, and per-character appends dominated the profile. */
        size_t run = 0;
        while (i + run < len && (unsigned char)s[i + run] > ' ' &&
               (unsigned char)s[i + run] < 0x80)
            run++;
        if (run) {
            vg_buf_append(&b, s + i, run);
            i += run;
            continue;
        }
        /* Whatever got this far, the output is valid UTF-8. */
        size_t v = utf8_valid_len((const unsigned char *)s + i, len - i);
        if (v && s[i])
            vg_buf_append(&b, s + i, v);
        else if (!v)
            vg_buf_puts(&b, "\xEF\xBF\xBD");
        i += v ? v : 1;
    }
    if (b.err != VG_OK || b.len == 0) {
        if (err && b.err == VG_ENOMEM)
            *err = VG_ENOMEM;
        vg_buf_free(&b);
        return NULL;
    }
    char *out = vg_buf_detach(&b);
    if (!out && err)
        *err = VG_ENOMEM;
    return out;
}

/* Elements whose text is not content, and those that end a line. */
static int skipped_element(const char *name)
{
    static const char *const names[] = {"script", "style", "noscript", "template",
                                        "iframe", "object", "head", "svg",
                                        "math", NULL};
    for (int i = 0; names[i]; i++)
        if (strcasecmp(names[i], name) == 0)
            return 1;
    return 0;
}

static int block_element(const char *name)
{
    static const char *const names[] = {
        "p",     "div",   "br",         "li",      "ul",     "ol",   "dl",
        "dt",    "dd",    "h1",         "h2",      "h3",     "h4",   "h5",
        "h6",    "pre",   "blockquote", "tr",      "table",  "hr",   "section",
        "article", "header", "footer",  "figure",  "figcaption", "aside",
        "address", "nav", "main",       NULL};
    for (int i = 0; names[i]; i++)
        if (strcasecmp(names[i], name) == 0)
            return 1;
    return 0;
}

static void append_spaced(vg_buf *b, const char *s)
{
    /* Source line breaks inside a text node are plain spaces in HTML. */
    for (const char *p = s; *p; p++) {
        size_t run = strcspn(p, "\n\r\t\f");
        vg_buf_append(b, p, run);
        p += run;
        if (!*p)
            break;
        vg_buf_putc(b, ' ');
    }
}

vg_err feed_tree_text(const xmlNode *root, int single_line, char **out)
{
    vg_buf b;
    vg_err rc = VG_OK;
    *out = NULL;
    vg_buf_init(&b, 64u * 1024 * 1024);
    const xmlNode *n = root;
    while (n) {
        int descend = 0;
        if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
            if (n->content)
                append_spaced(&b, (const char *)n->content);
        } else if (n->type == XML_ENTITY_REF_NODE) {
            const char *v = flat_entity(n);
            if (v)
                append_spaced(&b, v);
        } else if (n->type == XML_ELEMENT_NODE && n->name &&
                   skipped_element((const char *)n->name)) {
            descend = 0;
        } else if (n->type == XML_ELEMENT_NODE || n->type == XML_DOCUMENT_NODE ||
                   n->type == XML_HTML_DOCUMENT_NODE) {
            if (n->type == XML_ELEMENT_NODE && block_element((const char *)n->name))
                vg_buf_putc(&b, '\n');
            descend = n->children != NULL;
        }
        if (descend) {
            n = n->children;
            continue;
        }
        /* Leaving n, then every ancestor that has no next sibling. */
        for (;;) {
            if (n == root)
                goto done;
            if (n->next) {
                n = n->next;
                break;
            }
            n = n->parent;
            if (!n)
                goto done;
            if (n->type == XML_ELEMENT_NODE && block_element((const char *)n->name))
                vg_buf_putc(&b, '\n');
        }
    }
done:
    if (b.err != VG_OK) {
        rc = b.err == VG_ENOMEM ? VG_ENOMEM : VG_OK;
        goto cleanup;
    }
    if (b.len)
        *out = feed_text_normalize(b.ptr, b.len, single_line, &rc);
cleanup:
    vg_buf_free(&b);
    return rc;
}

/* ---- fast path for simple fragments ----
 *
 * Most summaries are a few paragraphs of text with links, emphasis,
 * images and entities. For those, building and walking a libxml2 HTML
 * tree costs more than the rest of the feed; the scan below writes the
 * same text directly. It accepts only what it can render exactly as
 * feed_tree_text renders libxml2's tree: the tags of the two lists
 * below, well-formed character references, and whitespace kept or
 * dropped by libxml2's own rule (areBlanks: whitespace between tags
 * survives only next to an element that may hold text). Anything else
 * (comments, scripts, tables, unknown tags, stray '<' or '&') sends
 * the fragment to the parser. */

/* Inline elements libxml2 lets hold text ("allowPCData"). */
static int fast_inline(const char *n)
{
    static const char *const names[] = {
        "a", "abbr", "acronym", "b", "big", "cite", "code", "del", "dfn",
        "em", "font", "i", "ins", "kbd", "q", "s", "samp", "small", "span",
        "strike", "strong", "tt", "u", "var", NULL};
    for (int i = 0; names[i]; i++)
        if (strcmp(names[i], n) == 0)
            return 1;
    return 0;
}

/* Blocks (all in block_element and in allowPCData) and void elements. */
static int fast_block(const char *n)
{
    static const char *const names[] = {
        "p", "div", "li", "ul", "ol", "dd", "dt", "h1", "h2", "h3", "h4",
        "h5", "h6", "blockquote", NULL};
    for (int i = 0; names[i]; i++)
        if (strcmp(names[i], n) == 0)
            return 1;
    return 0;
}

static int fast_void(const char *n)
{
    return strcmp(n, "img") == 0 || strcmp(n, "br") == 0 ||
           strcmp(n, "wbr") == 0;
}

/* Decodes the reference at s[i] ('&'); returns its length, 0 when it is
 * not one the fast path is sure about. */
static size_t fast_entity(const char *s, size_t len, size_t i, vg_buf *b)
{
    size_t j = i + 1;
    unsigned cp = 0;
    if (j < len && s[j] == '#') {
        j++;
        int hex = j < len && (s[j] == 'x' || s[j] == 'X');
        if (hex)
            j++;
        size_t start = j;
        while (j < len && j - start < 7 &&
               (hex ? isxdigit((unsigned char)s[j]) : isdigit((unsigned char)s[j]))) {
            unsigned c = (unsigned char)s[j];
            unsigned d = isdigit(c) ? c - '0' : (unsigned)(tolower((int)c) - 'a' + 10);
            cp = cp * (hex ? 16u : 10u) + d;
            j++;
        }
        if (j == start || j >= len || s[j] != ';')
            return 0;
    } else {
        char name[32];
        size_t nl = 0;
        while (j < len && isalnum((unsigned char)s[j]) && nl + 1 < sizeof name)
            name[nl++] = s[j++];
        name[nl] = '\0';
        if (nl == 0 || j >= len || s[j] != ';')
            return 0;
        const htmlEntityDesc *e = htmlEntityLookup((const xmlChar *)name);
        if (!e)
            return 0;
        cp = e->value;
    }
    /* Controls, C1 (which libxml2 may remap), surrogates, non-chars. */
    if ((cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') ||
        (cp >= 0x7F && cp <= 0x9F) || (cp >= 0xD800 && cp <= 0xDFFF) ||
        cp > 0x10FFFF || cp == 0xFFFE || cp == 0xFFFF)
        return 0;
    if (cp == '\n' || cp == '\r' || cp == '\t')
        vg_buf_putc(b, ' ');
    else
        put_utf8(b, cp);
    return j + 1 - i;
}

/* 1 when it rendered html into *out (or failed for memory, in *rc),
 * 0 when the parser must do it. */
static int fast_html_text(const char *s, size_t len, int single_line, char **out,
                          vg_err *rc)
{
    vg_buf b;
    vg_buf_init(&b, len * 3 + 16);
    vg_buf_reserve(&b, len + 16);
    /* The element before a whitespace run: its name, and whether the run
     * is its first child (start tag) or its next sibling (end tag, void
     * element). Empty name: start of input, where whitespace goes. */
    char prev[16] = "";
    size_t i = 0;
    while (i < len) {
        char c = s[i];
        if (c == '<') {
            size_t j = i + 1;
            int closing = j < len && s[j] == '/';
            if (closing)
                j++;
            char name[16];
            size_t nl = 0;
            while (j < len && isalnum((unsigned char)s[j]) && nl + 1 < sizeof name)
                name[nl++] = (char)tolower((unsigned char)s[j++]);
            name[nl] = '\0';
            if (nl == 0 || j >= len || (isalnum((unsigned char)s[j])))
                goto slow;
            if (s[j] != '>' && s[j] != '/' && s[j] != ' ' && s[j] != '\t' &&
                s[j] != '\n' && s[j] != '\r')
                goto slow;
            /* Attributes: skipped, quotes respected; a '<' or '&' in
             * them, or no end, is not simple. */
            char quote = 0;
            while (j < len && (quote || s[j] != '>')) {
                if (quote) {
                    if (s[j] == quote)
                        quote = 0;
                } else if (s[j] == '"' || s[j] == '\'') {
                    quote = s[j];
                } else if (s[j] == '<') {
                    goto slow;
                }
                if (s[j] == '&' || s[j] == '\0')
                    goto slow;
                j++;
            }
            if (j >= len)
                goto slow;
            int block = fast_block(name);
            if (!block && !fast_inline(name) && !fast_void(name))
                goto slow;
            if (closing && fast_void(name))
                goto slow;
            if (block || strcmp(name, "br") == 0)
                vg_buf_putc(&b, '\n');
            /* What a following whitespace run would see as its context. */
            if (closing || fast_void(name))
                memcpy(prev, name, nl + 1);
            else
                snprintf(prev, sizeof prev, "%s", name);
            i = j + 1;
            continue;
        }
        /* A text run up to the next tag. */
        const char *lt = memchr(s + i, '<', len - i);
        size_t j = lt ? (size_t)(lt - s) : len;
        if (memchr(s + i, '\0', j - i))
            goto slow;
        int blank = 1;
        for (size_t k = i; k < j && blank; k++)
            blank = s[k] == ' ' || s[k] == '\t' || s[k] == '\n' || s[k] == '\r';
        if (blank) {
            /* libxml2 drops it at the end of input, at the start, and
             * next to an element that may not hold text; after a void
             * element its choice depends on more context than this
             * scan keeps. */
            if (j < len && fast_void(prev))
                goto slow;
            if (j < len && prev[0] &&
                (fast_inline(prev) || fast_block(prev)))
                vg_buf_putc(&b, ' ');
            i = j;
            continue;
        }
        for (size_t k = i; k < j;) {
            if (s[k] == '&') {
                size_t n = fast_entity(s, len, k, &b);
                if (n == 0)
                    goto slow;
                k += n;
                continue;
            }
            /* Up to the next reference or control whitespace, in one
             * append; the latter become spaces, as append_spaced does. */
            size_t run = k;
            while (run < j && s[run] != '&' && s[run] != '\n' && s[run] != '\r' &&
                   s[run] != '\t' && s[run] != '\f')
                run++;
            vg_buf_append(&b, s + k, run - k);
            if (run < j && s[run] != '&') {
                vg_buf_putc(&b, ' ');
                run++;
            }
            k = run;
        }
        prev[0] = '\0';
        i = j;
    }
    if (b.err != VG_OK) {
        *rc = b.err == VG_ENOMEM ? VG_ENOMEM : VG_OK;
        vg_buf_free(&b);
        return 1;
    }
    *out = b.len ? feed_text_normalize(b.ptr, b.len, single_line, rc) : NULL;
    vg_buf_free(&b);
    return 1;
slow:
    vg_buf_free(&b);
    return 0;
}

vg_err feed_html_text(const char *html, size_t len, int single_line, char **out)
{
    vg_err rc = VG_OK;
    htmlParserCtxtPtr ctxt = NULL;
    htmlDocPtr doc = NULL;
    *out = NULL;
    if (!html || !len)
        return VG_OK;
    /* No markup and no entity: nothing for a parser to do. */
    if (!memchr(html, '<', len) && !memchr(html, '&', len)) {
        *out = feed_text_normalize(html, len, single_line, &rc);
        return rc;
    }
    if (fast_html_text(html, len, single_line, out, &rc))
        return rc;
    if (len > INT32_MAX)
        return vg_error_set(VG_ETOOBIG, "HTML fragment too big");
    ctxt = htmlNewParserCtxt();
    if (!ctxt)
        return VG_ENOMEM;
    ctxt->sax->serror = on_xml_error; /* _private is NULL: records nothing */
    ctxt->sax->error = NULL;
    ctxt->sax->warning = NULL;
    /* The fragment is already UTF-8 (it came out of the XML tree): a
     * <meta charset> inside a summary must not switch decoders. */
    doc = htmlCtxtReadMemory(ctxt, html, (int)len, NULL, "UTF-8",
                             HTML_PARSE_NONET | HTML_PARSE_NOERROR |
                                 HTML_PARSE_NOWARNING | HTML_PARSE_RECOVER |
                                 HTML_PARSE_IGNORE_ENC);
    if (!doc) {
        /* The HTML parser gives up only on input it cannot tokenise at
         * all; keep the characters rather than lose the summary. */
        *out = feed_text_normalize(html, len, single_line, &rc);
        goto cleanup;
    }
    rc = feed_tree_text((const xmlNode *)doc, single_line, out);
cleanup:
    if (doc)
        xmlFreeDoc(doc);
    htmlFreeParserCtxt(ctxt);
    return rc;
}
