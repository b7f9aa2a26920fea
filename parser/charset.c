/*
 * Charset decision and conversion to UTF-8 for fetched pages and feeds.
 * The order of evidence is the browsers' one (BOM, HTTP header, <meta>
 * prescan, then detection) because pages are written and tested against
 * browsers: when a server header and a BOM disagree, the page renders
 * by its BOM, and so must we. iconv converts; it has no "replace
 * invalid input" mode we can rely on across libcs, so the loop below
 * substitutes U+FFFD itself and resumes after the bad byte.
 */
#include "parser/charset.h"

#include "core/buf.h"
#include "core/swar.h"

#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <uchardet/uchardet.h>

/* Detection only needs a sample; uchardet is slow on megabytes. */
#define DETECT_SAMPLE_BYTES (64u * 1024)

static const char REPLACEMENT[] = "\xEF\xBF\xBD";

/* Browser label aliases (after lower-casing), mapped to names glibc's
 * iconv knows. ISO-8859-1 and ASCII pages are really windows-1252: that
 * is how browsers read them, and how authors who typed 0x92 apostrophes
 * meant them. */
static const struct {
    const char *label;
    const char *name;
} ALIASES[] = {
    {"utf-8", "UTF-8"},          {"utf8", "UTF-8"},
    {"unicode-1-1-utf-8", "UTF-8"},
    {"iso-8859-1", "WINDOWS-1252"}, {"iso8859-1", "WINDOWS-1252"},
    {"iso_8859-1", "WINDOWS-1252"}, {"iso88591", "WINDOWS-1252"},
    {"latin1", "WINDOWS-1252"},  {"latin-1", "WINDOWS-1252"},
    {"l1", "WINDOWS-1252"},      {"cp819", "WINDOWS-1252"},
    {"ibm819", "WINDOWS-1252"},  {"csisolatin1", "WINDOWS-1252"},
    {"iso-ir-100", "WINDOWS-1252"}, {"ascii", "WINDOWS-1252"},
    {"us-ascii", "WINDOWS-1252"}, {"ansi_x3.4-1968", "WINDOWS-1252"},
    {"windows-1252", "WINDOWS-1252"}, {"cp1252", "WINDOWS-1252"},
    {"x-cp1252", "WINDOWS-1252"},
    {"iso-8859-9", "WINDOWS-1254"}, {"latin5", "WINDOWS-1254"},
    {"iso-8859-11", "WINDOWS-874"}, {"tis-620", "WINDOWS-874"},
    {"gb2312", "GBK"},           {"gb_2312-80", "GBK"},
    {"x-gbk", "GBK"},            {"chinese", "GBK"},
    {"ks_c_5601-1987", "CP949"}, {"euc-kr", "CP949"},
    {"x-sjis", "SHIFT_JIS"},     {"sjis", "SHIFT_JIS"},
    {"ms_kanji", "SHIFT_JIS"},   {"windows-31j", "SHIFT_JIS"},
    {"x-mac-roman", "MACINTOSH"}, {"mac", "MACINTOSH"},
};

static char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static int known_to_iconv(const char *name)
{
    iconv_t cd = iconv_open("UTF-8", name);
    if (cd == (iconv_t)-1)
        return 0;
    iconv_close(cd);
    return 1;
}

char *charset_normalize(const char *label, size_t len)
{
    if (!label)
        return NULL;
    while (len && (is_space(*label) || *label == '"' || *label == '\'')) {
        label++;
        len--;
    }
    while (len && (is_space(label[len - 1]) || label[len - 1] == '"' ||
                   label[len - 1] == '\'' || label[len - 1] == ';'))
        len--;
    if (len == 0 || len > 40)
        return NULL;
    char low[41];
    for (size_t i = 0; i < len; i++) {
        char c = lower(label[i]);
        /* A label is a token; anything else is not a charset name and
         * must not reach iconv_open (which also accepts "//" suffixes). */
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
              c == '_' || c == '.' || c == ':'))
            return NULL;
        low[i] = c;
    }
    low[len] = '\0';
    for (size_t i = 0; i < sizeof ALIASES / sizeof ALIASES[0]; i++)
        if (strcmp(low, ALIASES[i].label) == 0)
            return vg_strdup(ALIASES[i].name);
    for (size_t i = 0; i < len; i++)
        if (low[i] >= 'a' && low[i] <= 'z')
            low[i] = (char)(low[i] - 'a' + 'A');
    if (!known_to_iconv(low))
        return NULL;
    return vg_strdup(low);
}

/* Finds "charset=" in a parameter list (Content-Type value or the content
 * attribute of a http-equiv meta) and normalises its value. */
static char *charset_param(const char *s, size_t len)
{
    for (size_t i = 0; i + 7 <= len; i++) {
        if (strncasecmp(s + i, "charset", 7) != 0)
            continue;
        size_t j = i + 7;
        while (j < len && is_space(s[j]))
            j++;
        if (j >= len || s[j] != '=')
            continue;
        j++;
        while (j < len && is_space(s[j]))
            j++;
        char quote = 0;
        if (j < len && (s[j] == '"' || s[j] == '\''))
            quote = s[j++];
        size_t start = j;
        while (j < len && s[j] != ';' && !is_space(s[j]) &&
               (quote ? s[j] != quote : 1))
            j++;
        return charset_normalize(s + start, j - start);
    }
    return NULL;
}

char *charset_from_content_type(const char *content_type)
{
    if (!content_type)
        return NULL;
    const char *semi = strchr(content_type, ';');
    if (!semi)
        return NULL;
    return charset_param(semi + 1, strlen(semi + 1));
}

/* One attribute of a tag during the meta prescan. */
typedef struct attr {
    const char *name, *value;
    size_t name_len, value_len;
} attr;

/* Reads the next attribute of a tag starting at *pos; returns 0 at the
 * end of the tag ('>' or end of input). */
static int next_attr(const char *s, size_t len, size_t *pos, attr *a)
{
    size_t i = *pos;
    while (i < len && (is_space(s[i]) || s[i] == '/'))
        i++;
    if (i >= len || s[i] == '>') {
        *pos = i;
        return 0;
    }
    a->name = s + i;
    while (i < len && !is_space(s[i]) && s[i] != '=' && s[i] != '>' &&
           s[i] != '/')
        i++;
    a->name_len = (size_t)(s + i - a->name);
    a->value = s + i;
    a->value_len = 0;
    while (i < len && is_space(s[i]))
        i++;
    if (i < len && s[i] == '=') {
        i++;
        while (i < len && is_space(s[i]))
            i++;
        if (i < len && (s[i] == '"' || s[i] == '\'')) {
            char q = s[i++];
            a->value = s + i;
            while (i < len && s[i] != q)
                i++;
            a->value_len = (size_t)(s + i - a->value);
            if (i < len)
                i++;
        } else {
            a->value = s + i;
            while (i < len && !is_space(s[i]) && s[i] != '>')
                i++;
            a->value_len = (size_t)(s + i - a->value);
        }
    }
    *pos = i;
    return 1;
}

static int attr_is(const attr *a, const char *name)
{
    size_t n = strlen(name);
    return a->name_len == n && strncasecmp(a->name, name, n) == 0;
}

/* Examines one <meta ...> whose attributes start at *pos. */
static char *meta_charset(const char *s, size_t len, size_t *pos)
{
    attr a;
    const char *content = NULL;
    size_t content_len = 0;
    int http_equiv_ct = 0;
    char *found = NULL;
    while (next_attr(s, len, pos, &a)) {
        if (attr_is(&a, "charset") && !found && a.value_len)
            found = charset_normalize(a.value, a.value_len);
        else if (attr_is(&a, "http-equiv"))
            http_equiv_ct = a.value_len == 12 &&
                            strncasecmp(a.value, "content-type", 12) == 0;
        else if (attr_is(&a, "content")) {
            content = a.value;
            content_len = a.value_len;
        }
    }
    if (!found && http_equiv_ct && content)
        found = charset_param(content, content_len);
    return found;
}

char *charset_from_meta(const char *data, size_t len)
{
    if (!data)
        return NULL;
    if (len > CHARSET_PRESCAN_BYTES)
        len = CHARSET_PRESCAN_BYTES;
    size_t i = 0;
    while (i < len) {
        const char *lt = memchr(data + i, '<', len - i);
        if (!lt)
            break;
        i = (size_t)(lt - data);
        if (len - i >= 4 && memcmp(data + i, "<!--", 4) == 0) {
            /* A commented-out meta is not a declaration. */
            const char *end = NULL;
            for (size_t j = i + 4; j + 3 <= len; j++)
                if (memcmp(data + j, "-->", 3) == 0) {
                    end = data + j + 3;
                    break;
                }
            if (!end)
                break;
            i = (size_t)(end - data);
            continue;
        }
        if (len - i >= 6 && strncasecmp(data + i + 1, "meta", 4) == 0 &&
            (is_space(data[i + 5]) || data[i + 5] == '/')) {
            size_t pos = i + 5;
            char *cs = meta_charset(data, len, &pos);
            if (cs) {
                if (strncmp(cs, "UTF-16", 6) == 0) {
                    free(cs);
                    cs = vg_strdup("UTF-8");
                }
                return cs;
            }
            i = pos;
            continue;
        }
        i++;
    }
    return NULL;
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        return n >= 2 && (s[1] & 0xC0) == 0x80 ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        if (n < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
            return 0;
        if (c == 0xE0 && s[1] < 0xA0)
            return 0; /* overlong */
        if (c == 0xED && s[1] >= 0xA0)
            return 0; /* surrogate */
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (n < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 ||
            (s[3] & 0xC0) != 0x80)
            return 0;
        if (c == 0xF0 && s[1] < 0x90)
            return 0;
        if (c == 0xF4 && s[1] >= 0x90)
            return 0;
        return 4;
    }
    return 0;
}

int charset_is_utf8(const char *data, size_t len)
{
    const unsigned char *s = (const unsigned char *)data;
    size_t i = 0;
    while (i < len) {
        if (s[i] < 0x80) {
            i++;
            continue;
        }
        size_t n = utf8_seq(s + i, len - i);
        if (!n)
            return 0;
        i += n;
    }
    return 1;
}

/* UTF-8 to UTF-8 with repair: our own validator is exact and faster than
 * a round trip through iconv. */
/* How many bytes one U+FFFD stands for at an invalid sequence: the
 * "maximal subpart" of the WHATWG decoder, i.e. a lead byte and the
 * continuation bytes that could still have completed it ("\xE2\x82" cut
 * by the end of the page is one error, not two); 1 for a stray byte. */
static size_t bad_prefix(const unsigned char *s, size_t n)
{
    unsigned char c = s[0], lo = 0x80, hi = 0xBF;
    size_t need;
    if (c >= 0xC2 && c <= 0xDF)
        need = 1;
    else if (c >= 0xE0 && c <= 0xEF)
        need = 2;
    else if (c >= 0xF0 && c <= 0xF4)
        need = 3;
    else
        return 1;
    if (c == 0xE0)
        lo = 0xA0;
    else if (c == 0xED)
        hi = 0x9F;
    else if (c == 0xF0)
        lo = 0x90;
    else if (c == 0xF4)
        hi = 0x8F;
    size_t k = 1;
    while (k <= need && k < n && s[k] >= lo && s[k] <= hi) {
        k++;
        lo = 0x80;
        hi = 0xBF;
    }
    return k;
}

static vg_err repair_utf8(const char *data, size_t len, vg_buf *b)
{
    const unsigned char *s = (const unsigned char *)data;
    size_t i = 0, run = 0;
    while (i < len) {
        /* Pages are mostly ASCII: eight bytes are cleared per test. */
        uint64_t w;
        if (len - i >= 8 && (memcpy(&w, s + i, 8), !(w & VG_HIGHS8))) {
            i += 8;
            continue;
        }
        size_t n = s[i] < 0x80 ? 1 : utf8_seq(s + i, len - i);
        if (n) {
            i += n;
            continue;
        }
        vg_buf_append(b, data + run, i - run);
        vg_buf_append(b, REPLACEMENT, 3);
        i += bad_prefix(s + i, len - i);
        run = i;
    }
    return vg_buf_append(b, data + run, len - run);
}

vg_err charset_convert(const char *data, size_t len, const char *charset,
                       char **out, size_t *out_len)
{
    if (!out || !out_len)
        return vg_error_set(VG_EINVAL, "charset_convert: no output");
    *out = NULL;
    *out_len = 0;
    vg_err rc = VG_OK;
    char *name = charset_normalize(charset, charset ? strlen(charset) : 0);
    iconv_t cd = (iconv_t)-1;
    vg_buf b;
    /* The worst case is 3 output bytes per input byte (a single-byte
     * charset or U+FFFD per bad byte); the slack covers tiny inputs. */
    vg_buf_init(&b, len * 3 + 64);
    if (!name) {
        rc = vg_error_set(VG_EINVAL, "unknown charset '%.60s'",
                          charset ? charset : "");
        goto cleanup;
    }
    if (!data)
        len = 0;
    if (strcmp(name, "UTF-8") == 0) {
        rc = repair_utf8(data, len, &b);
    } else {
        cd = iconv_open("UTF-8", name);
        if (cd == (iconv_t)-1) {
            rc = vg_error_set(VG_EINVAL, "iconv cannot read '%s'", name);
            goto cleanup;
        }
        char chunk[8192];
        char *in = (char *)data;
        size_t left = len;
        while (left > 0 && b.err == VG_OK) {
            char *o = chunk;
            size_t room = sizeof chunk;
            size_t r = iconv(cd, &in, &left, &o, &room);
            vg_buf_append(&b, chunk, sizeof chunk - room);
            if (r != (size_t)-1)
                continue;
            if (errno == E2BIG)
                continue;
            /* EILSEQ: an invalid byte; EINVAL: a truncated sequence at
             * the end. Either way one U+FFFD, skip a code unit, go on:
             * a byte, but two in UTF-16 and four in UTF-32, or every
             * later character would be read across a unit boundary. */
            vg_buf_append(&b, REPLACEMENT, 3);
            size_t unit = strncmp(name, "UTF-16", 6) == 0   ? 2
                          : strncmp(name, "UTF-32", 6) == 0 ? 4
                                                             : 1;
            if (unit > left)
                unit = left;
            in += unit;
            left -= unit;
            iconv(cd, NULL, NULL, NULL, NULL);
        }
        /* Flush any shift state (stateful encodings like ISO-2022-JP). */
        char *o = chunk;
        size_t room = sizeof chunk;
        iconv(cd, NULL, NULL, &o, &room);
        vg_buf_append(&b, chunk, sizeof chunk - room);
    }
    if (b.err != VG_OK) {
        rc = b.err;
        goto cleanup;
    }
    *out_len = b.len;
    *out = vg_buf_detach(&b);
    if (!*out)
        rc = VG_ENOMEM;
cleanup:
    if (cd != (iconv_t)-1)
        iconv_close(cd);
    if (rc != VG_OK)
        *out_len = 0;
    vg_buf_free(&b);
    free(name);
    return rc;
}

/* uchardet's verdict on a sample, normalised; NULL when it has none. */
static char *detect(const char *data, size_t len)
{
    uchardet_t ud = uchardet_new();
    if (!ud)
        return NULL;
    char *name = NULL;
    if (uchardet_handle_data(ud, data,
                             len > DETECT_SAMPLE_BYTES ? DETECT_SAMPLE_BYTES
                                                       : len) == 0) {
        uchardet_data_end(ud);
        const char *cs = uchardet_get_charset(ud);
        if (cs && *cs)
            name = charset_normalize(cs, strlen(cs));
    }
    uchardet_delete(ud);
    return name;
}

vg_err charset_to_utf8(const char *data, size_t len, const char *content_type,
                       char **out, size_t *out_len, char **charset_used)
{
    if (!out || !out_len)
        return vg_error_set(VG_EINVAL, "charset_to_utf8: no output");
    *out = NULL;
    *out_len = 0;
    if (charset_used)
        *charset_used = NULL;
    if (!data)
        len = 0;
    const unsigned char *u = (const unsigned char *)data;
    char *name = NULL;
    size_t skip = 0;
    vg_err rc = VG_OK;
    if (len >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF) {
        name = vg_strdup("UTF-8");
        skip = 3;
    } else if (len >= 2 && u[0] == 0xFE && u[1] == 0xFF) {
        name = vg_strdup("UTF-16BE");
        skip = 2;
    } else if (len >= 2 && u[0] == 0xFF && u[1] == 0xFE) {
        name = vg_strdup("UTF-16LE");
        skip = 2;
    } else {
        name = charset_from_content_type(content_type);
        if (!name)
            name = charset_from_meta(data, len);
        if (!name && charset_is_utf8(data, len))
            name = vg_strdup("UTF-8");
        if (!name)
            name = detect(data, len);
        if (!name) /* the web's most common non-UTF-8 encoding */
            name = vg_strdup("WINDOWS-1252");
    }
    if (!name)
        return VG_ENOMEM;
    rc = charset_convert(data ? data + skip : NULL, len - skip, name, out,
                         out_len);
    if (rc == VG_OK && charset_used) {
        *charset_used = name;
        name = NULL;
    }
    free(name);
    return rc;
}
