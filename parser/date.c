/*
 * Feed dates to UTC unix seconds. Feeds write dates in two families:
 * ISO 8601 / RFC 3339 (Atom, dc:date) and RFC 822 with its many
 * descendants (RSS pubDate), plus localised forms (French month and day
 * names) written by hand-rolled CMSs. ISO strings are parsed strictly;
 * the RFC 822 family goes through a small token classifier that accepts
 * the fields in any reasonable order but insists on a day, a month and a
 * year, and validates every field: a date we cannot read is an error,
 * never a guess. No libc locale or strptime is involved, so the result
 * does not depend on the process locale and the code is thread-safe.
 */
#include "parser/date.h"

#include "core/vtime.h"

#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

/* A date string longer than this is not a date. */
#define DATE_MAX_LEN 128

typedef struct {
    const char *name;
    int value;
} named;

/* Month names, English and French, accents already folded (see fold_word).
 * "mar" is both March and the French Tuesday: resolved by the caller. */
static const named months[] = {
    {"jan", 1},      {"january", 1},   {"janv", 1},     {"janvier", 1},
    {"feb", 2},      {"february", 2},  {"fev", 2},      {"fevr", 2},
    {"fevrier", 2},  {"mar", 3},       {"march", 3},    {"mars", 3},
    {"apr", 4},      {"april", 4},     {"avr", 4},      {"avril", 4},
    {"may", 5},      {"mai", 5},       {"jun", 6},      {"june", 6},
    {"juin", 6},     {"jul", 7},       {"july", 7},     {"juil", 7},
    {"juillet", 7},  {"aug", 8},       {"august", 8},   {"aou", 8},
    {"aout", 8},     {"sep", 9},       {"sept", 9},     {"september", 9},
    {"septembre", 9}, {"oct", 10},     {"october", 10}, {"octobre", 10},
    {"nov", 11},     {"november", 11}, {"novembre", 11}, {"dec", 12},
    {"december", 12}, {"decembre", 12}, {NULL, 0}};

/* Weekdays carry no information we trust (feeds get them wrong), so they
 * are only recognised in order to be skipped. */
static const char *const weekdays[] = {
    "mon", "monday", "tue", "tues", "tuesday", "wed", "wednesday", "thu",
    "thur", "thurs", "thursday", "fri", "friday", "sat", "saturday", "sun",
    "sunday", "lun", "lundi", "mar", "mardi", "mer", "mercredi", "jeu",
    "jeudi", "ven", "vendredi", "sam", "samedi", "dim", "dimanche", NULL};

/* Zone names in minutes east of UTC: RFC 822's list plus the European
 * names French feeds use. Ambiguous abbreviations (IST, CST in Asia) are
 * read as RFC 822 defines them or not at all. */
static const named zones[] = {
    {"ut", 0},      {"utc", 0},     {"gmt", 0},     {"z", 0},
    {"est", -300},  {"edt", -240},  {"cst", -360},  {"cdt", -300},
    {"mst", -420},  {"mdt", -360},  {"pst", -480},  {"pdt", -420},
    {"cet", 60},    {"cest", 120},  {"met", 60},    {"mest", 120},
    {"wet", 0},     {"west", 60},   {"eet", 120},   {"eest", 180},
    {"bst", 60},    {"jst", 540},   {"kst", 540},   {"ast", -240},
    {"adt", -180},  {"at", -240},   {"et", -300},   {"ct", -360},
    {"mt", -420},   {"pt", -480},   {"hst", -600},  {"akst", -540},
    {"akdt", -480}, {"nzst", 720},  {"nzdt", 780},  {"aest", 600},
    {"aedt", 660},  {NULL, 0}};

/* Filler words between the fields ("le 23 novembre 2026 à 10:00"). */
static const char *const fillers[] = {"at", "le", "\xc3\xa0", "de", "du",
                                      "of", "etc", NULL};

static int lookup(const named *t, const char *w, int *value)
{
    for (int i = 0; t[i].name; i++)
        if (strcmp(t[i].name, w) == 0) {
            *value = t[i].value;
            return 1;
        }
    return 0;
}

static int in_list(const char *const *l, const char *w)
{
    for (int i = 0; l[i]; i++)
        if (strcmp(l[i], w) == 0)
            return 1;
    return 0;
}

/* RFC 822 military zones, with the signs as RFC 822 wrote them (RFC 1123
 * notes they are backwards, but feeds that use them follow the text). */
static int military_zone(char c, int *minutes)
{
    if (c >= 'a' && c <= 'i')
        *minutes = -(c - 'a' + 1) * 60;
    else if (c >= 'k' && c <= 'm')
        *minutes = -(c - 'k' + 10) * 60;
    else if (c >= 'n' && c <= 'y')
        *minutes = (c - 'n' + 1) * 60;
    else if (c == 'z')
        *minutes = 0;
    else
        return 0;
    return 1;
}

static int leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
    static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : d[m - 1];
}

typedef struct {
    int year, month, day, hour, min, sec;
    int zone;      /* minutes east of UTC */
} fields;

static vg_err finish(const fields *f, const char *s, int64_t *out)
{
    if (f->year < 1000 || f->year > 9999 || f->month < 1 || f->month > 12 ||
        f->day < 1 || f->day > days_in_month(f->year, f->month) ||
        f->hour < 0 || f->hour > 23 || f->min < 0 || f->min > 59 ||
        f->sec < 0 || f->sec > 60 || f->zone < -18 * 60 || f->zone > 18 * 60)
        return vg_error_set(VG_EPARSE, "date out of range: '%.80s'", s);
    /* A leap second (":60") is normalised into the next minute. */
    *out = vg_timegm(f->year, f->month, f->day, f->hour, f->min, f->sec) -
           (int64_t)f->zone * 60;
    return VG_OK;
}

/* Reads exactly n digits at *p. */
static int digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*p)[i]))
            return 0;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *out = v;
    return 1;
}

/* "+hh:mm", "+hhmm" or "+hh"; p points at the sign. */
static int numeric_zone(const char **p, int *minutes)
{
    const char *q = *p;
    int sign = *q == '-' ? -1 : 1;
    int hh, mm = 0;
    q++;
    if (!digits(&q, 2, &hh))
        return 0;
    if (*q == ':') {
        q++;
        if (!digits(&q, 2, &mm))
            return 0;
    } else if (isdigit((unsigned char)*q)) {
        if (!digits(&q, 2, &mm))
            return 0;
    }
    if (hh > 23 || mm > 59)
        return 0;
    *minutes = sign * (hh * 60 + mm);
    *p = q;
    return 1;
}

/* Lower-cases an ASCII word and folds the accented letters of French
 * month names (é, û in either case) so the tables stay plain ASCII. */
static int fold_word(const char *w, size_t n, char *out, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)w[i];
        char r;
        if (c == 0xc3 && i + 1 < n &&
            ((unsigned char)w[i + 1] == 0xa9 || (unsigned char)w[i + 1] == 0x89)) {
            r = 'e';
            i++;
        } else if (c == 0xc3 && i + 1 < n &&
                   ((unsigned char)w[i + 1] == 0xbb ||
                    (unsigned char)w[i + 1] == 0x9b)) {
            r = 'u';
            i++;
        } else {
            r = (char)tolower(c);
        }
        if (o + 1 >= cap)
            return 0;
        out[o++] = r;
    }
    out[o] = '\0';
    return 1;
}

static vg_err parse_iso(const char *s, const char *p, int64_t *out)
{
    fields f = {0};
    if (!digits(&p, 4, &f.year) || *p++ != '-' || !digits(&p, 2, &f.month) ||
        *p++ != '-' || !digits(&p, 2, &f.day))
        return vg_error_set(VG_EPARSE, "bad ISO 8601 date '%.80s'", s);
    if (*p == 'T' || *p == 't' || (*p == ' ' && isdigit((unsigned char)p[1]))) {
        p++;
        /* "T9:15": producers drop the hour's leading zero. */
        if (!(digits(&p, 2, &f.hour) || digits(&p, 1, &f.hour)) || *p++ != ':' ||
            !digits(&p, 2, &f.min))
            return vg_error_set(VG_EPARSE, "bad ISO 8601 time '%.80s'", s);
        if (*p == ':') {
            p++;
            if (!digits(&p, 2, &f.sec))
                return vg_error_set(VG_EPARSE, "bad ISO 8601 time '%.80s'", s);
            if (*p == '.' || *p == ',') {
                p++;
                if (!isdigit((unsigned char)*p))
                    return vg_error_set(VG_EPARSE, "bad fraction '%.80s'", s);
                while (isdigit((unsigned char)*p))
                    p++;
            }
        }
        /* Ruby and Go write a space before the zone. */
        if (*p == ' ' && p[1])
            p++;
        if (*p == 'Z' || *p == 'z') {
            p++;
        } else if (*p == '+' || *p == '-') {
            if (!numeric_zone(&p, &f.zone))
                return vg_error_set(VG_EPARSE, "bad zone in '%.80s'", s);
        } else if (isalpha((unsigned char)*p)) {
            char w[8];
            size_t n = 0;
            while (isalpha((unsigned char)p[n]))
                n++;
            if (!fold_word(p, n, w, sizeof w) || !lookup(zones, w, &f.zone))
                return vg_error_set(VG_EPARSE, "unknown zone in '%.80s'", s);
            p += n;
        }
    }
    if (*p)
        return vg_error_set(VG_EPARSE, "trailing text in date '%.80s'", s);
    return finish(&f, s, out);
}

/* RFC 822 and its relatives: fields are classified one token at a time. */
static vg_err parse_words(const char *s, const char *p, int64_t *out)
{
    fields f = {0};
    int have_day = 0, have_month = 0, have_year = 0, have_time = 0;
    int have_zone = 0, month_may_be_tuesday = 0;

    while (*p) {
        unsigned char c = (unsigned char)*p;
        if (c == ' ' || c == ',' || c == '\t' || c == '.' || c == '/' ||
            c == '\n' || c == '\r') {
            p++;
        } else if (c == '(') {
            /* RFC 822 comment, e.g. "+0100 (CET)". */
            while (*p && *p != ')')
                p++;
            if (*p)
                p++;
        } else if ((c == '+' || c == '-') && have_time && !have_zone &&
                   isdigit((unsigned char)p[1])) {
            if (!numeric_zone(&p, &f.zone))
                return vg_error_set(VG_EPARSE, "bad zone in '%.80s'", s);
            have_zone = 1;
        } else if ((c == '+' || c == '-') && have_time && have_zone == 2 &&
                   isdigit((unsigned char)p[1])) {
            /* "GMT+0100": the offset refines the name. */
            if (!numeric_zone(&p, &f.zone))
                return vg_error_set(VG_EPARSE, "bad zone in '%.80s'", s);
            have_zone = 1;
        } else if (c == '-') {
            p++;            /* separator, as in "23-Nov-2026" */
        } else if (isdigit(c) && !have_year && isdigit((unsigned char)p[3]) &&
                   p[4] == '/' && isdigit((unsigned char)p[5])) {
            /* "2006/09/15": year first, numeric month. */
            const char *q = p;
            if (!digits(&q, 4, &f.year) || *q++ != '/' || !digits(&q, 2, &f.month) ||
                *q++ != '/' || !digits(&q, 2, &f.day))
                return vg_error_set(VG_EPARSE, "bad date in '%.80s'", s);
            have_year = have_month = have_day = 1;
            p = q;
        } else if (isdigit(c)) {
            const char *q = p;
            int v = 0, n = 0;
            while (isdigit((unsigned char)*q) && n < 6) {
                v = v * 10 + (*q - '0');
                q++;
                n++;
            }
            if (isdigit((unsigned char)*q))
                return vg_error_set(VG_EPARSE, "number too long in '%.80s'", s);
            if (*q == ':' || ((*q == 'h' || *q == 'H') &&
                              isdigit((unsigned char)q[1]))) {
                /* hh:mm[:ss[.frac]] or the French "10h00". */
                if (have_time || n > 2)
                    return vg_error_set(VG_EPARSE, "bad time in '%.80s'", s);
                f.hour = v;
                q++;
                if (!digits(&q, 2, &f.min))
                    return vg_error_set(VG_EPARSE, "bad time in '%.80s'", s);
                if (*q == ':') {
                    q++;
                    if (!digits(&q, 2, &f.sec))
                        return vg_error_set(VG_EPARSE, "bad time in '%.80s'", s);
                    if (*q == '.' && isdigit((unsigned char)q[1])) {
                        q++;
                        while (isdigit((unsigned char)*q))
                            q++;
                    }
                }
                have_time = 1;
                p = q;
                continue;
            }
            /* Ordinal suffixes: "1er novembre", "Nov 1st". */
            if (isalpha((unsigned char)*q)) {
                size_t k = 0;
                while (isalpha((unsigned char)q[k]))
                    k++;
                if (k == 2 && (strncmp(q, "er", 2) == 0 || strncmp(q, "st", 2) == 0 ||
                               strncmp(q, "nd", 2) == 0 || strncmp(q, "rd", 2) == 0 ||
                               strncmp(q, "th", 2) == 0))
                    q += k;
                else
                    return vg_error_set(VG_EPARSE, "bad token in '%.80s'", s);
            }
            if (n == 4) {
                if (have_year)
                    return vg_error_set(VG_EPARSE, "two years in '%.80s'", s);
                f.year = v;
                have_year = 1;
            } else if (n <= 2 && !have_day) {
                f.day = v;
                have_day = 1;
            } else if (n == 2 && !have_year) {
                /* RFC 2822: two-digit years below 50 are 20xx. */
                f.year = v < 50 ? 2000 + v : 1900 + v;
                have_year = 1;
            } else {
                return vg_error_set(VG_EPARSE, "unexpected number in '%.80s'", s);
            }
            p = q;
        } else if (isalpha(c) || c >= 0x80) {
            const char *q = p;
            while (isalpha((unsigned char)*q) || (unsigned char)*q >= 0x80)
                q++;
            char w[24];
            int v;
            if (!fold_word(p, (size_t)(q - p), w, sizeof w))
                return vg_error_set(VG_EPARSE, "bad word in '%.80s'", s);
            p = q;
            if (lookup(months, w, &v)) {
                if (have_month && !month_may_be_tuesday)
                    return vg_error_set(VG_EPARSE, "two months in '%.80s'", s);
                /* A second month name means an earlier "mar" was the
                 * French Tuesday ("mar., 24 nov. 2026"). */
                if (have_month && v == 3 && strcmp(w, "mar") == 0)
                    return vg_error_set(VG_EPARSE, "two months in '%.80s'", s);
                month_may_be_tuesday = !have_month && strcmp(w, "mar") == 0;
                f.month = v;
                have_month = 1;
            } else if (have_time && !have_zone && strcmp(w, "at") == 0) {
                f.zone = -240; /* after the time, "AT" is Atlantic Time */
                have_zone = 2;
            } else if (in_list(weekdays, w) || in_list(fillers, w)) {
                /* skipped */
            } else if ((have_time || (have_day && have_month && have_year)) &&
                       !have_zone && lookup(zones, w, &v)) {
                f.zone = v;
                have_zone = 2;
            } else if (have_time && !have_zone && w[1] == '\0' &&
                       military_zone(w[0], &v)) {
                f.zone = v;
                have_zone = 1;
            } else {
                return vg_error_set(VG_EPARSE, "unknown word '%s' in '%.80s'", w, s);
            }
        } else {
            return vg_error_set(VG_EPARSE, "unexpected character in '%.80s'", s);
        }
    }
    if (!have_day || !have_month || !have_year)
        return vg_error_set(VG_EPARSE, "incomplete date '%.80s'", s);
    return finish(&f, s, out);
}

/* Month and weekday names in other languages, rewritten to what the
 * parsers above read: Greek abbreviations to English, Hungarian months
 * (written inside ISO dates, "2004-július-13") to their number. */
static const struct {
    const char *from, *to;
} translations[] = {
    {"\xce\x99\xce\xb1\xce\xbd", "Jan"},             /* Ιαν */
    {"\xce\xa6\xce\xb5\xce\xb2", "Feb"},             /* Φεβ */
    {"\xce\x9c\xce\xac\xcf\x81", "Mar"},             /* Μάρ */
    {"\xce\x9c\xce\xb1\xcf\x81", "Mar"},             /* Μαρ */
    {"\xce\x91\xcf\x80\xcf\x81", "Apr"},             /* Απρ */
    {"\xce\x9c\xce\xac\xce\xb9", "May"},             /* Μάι */
    {"\xce\x9c\xce\xb1\xcf\x8a", "May"},             /* Μαϊ */
    {"\xce\x9c\xce\xb1\xce\xb9", "May"},             /* Μαι */
    {"\xce\x99\xce\xbf\xcf\x8d\xce\xbd", "Jun"},   /* Ιούν */
    {"\xce\x99\xce\xbf\xce\xbd", "Jun"},             /* Ιον */
    {"\xce\x99\xce\xbf\xcf\x8d\xce\xbb", "Jul"},   /* Ιούλ */
    {"\xce\x99\xce\xbf\xce\xbb", "Jul"},             /* Ιολ */
    {"\xce\x91\xcf\x8d\xce\xb3", "Aug"},             /* Αύγ */
    {"\xce\x91\xcf\x85\xce\xb3", "Aug"},             /* Αυγ */
    {"\xce\xa3\xce\xb5\xcf\x80", "Sep"},             /* Σεπ */
    {"\xce\x9f\xce\xba\xcf\x84", "Oct"},             /* Οκτ */
    {"\xce\x9d\xce\xbf\xce\xad", "Nov"},             /* Νοέ */
    {"\xce\x9d\xce\xbf\xce\xb5", "Nov"},             /* Νοε */
    {"\xce\x94\xce\xb5\xce\xba", "Dec"},             /* Δεκ */
    {"\xce\x9a\xcf\x85\xcf\x81", "Sun"},             /* Κυρ */
    {"\xce\x94\xce\xb5\xcf\x85", "Mon"},             /* Δευ */
    {"\xce\xa4\xcf\x81\xce\xb9", "Tue"},             /* Τρι */
    {"\xce\xa4\xce\xb5\xcf\x84", "Wed"},             /* Τετ */
    {"\xce\xa0\xce\xb5\xce\xbc", "Thu"},             /* Πεμ */
    {"\xce\xa0\xce\xb1\xcf\x81", "Fri"},             /* Παρ */
    {"\xce\xa3\xce\xb1\xce\xb2", "Sat"},             /* Σαβ */
    {"janu\xc3\xa1r", "01"},       {"febru\xc3\xa1r", "02"},
    {"m\xc3\xa1rcius", "03"},      {"\xc3\xa1prilis", "04"},
    {"m\xc3\xa1jus", "05"},        {"j\xc3\xbanius", "06"},
    {"j\xc3\xbalius", "07"},       {"augusztus", "08"},
    {"szeptember", "09"},          {"okt\xc3\xb3" "ber", "10"},
    {"-november-", "-11-"},        {"-december-", "-12-"},
    {NULL, NULL}};

/* Rewrites every translation in place (each is shorter than its
 * source, so buf never grows). */
static void translate(char *buf)
{
    for (int i = 0; translations[i].from; i++) {
        size_t fl = strlen(translations[i].from), tl = strlen(translations[i].to);
        char *hit;
        while ((hit = strstr(buf, translations[i].from)) != NULL) {
            memcpy(hit, translations[i].to, tl);
            memmove(hit + tl, hit + fl, strlen(hit + fl) + 1);
        }
    }
}

static int all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return 0;
    return s[n] == '\0';
}

/* Two-digit years as ISO 8601's reduced forms use them: this century. */
static int century(int yy)
{
    return 2000 + yy;
}

/* ISO 8601's reduced and ordinal forms ("2003", "2003-12", "-0312",
 * "03-12-31", "03335", "2003-335") and a three-digit month
 * ("2003-012-31T..."): date only, midnight UTC. */
static vg_err parse_iso_reduced(const char *s, int reduced, int64_t *out)
{
    fields f = {0, 1, 1, 0, 0, 0, 0};
    const char *p = s;
    size_t n = strlen(s);
    int ordinal = 0;
    int partial = (n == 4 && all_digits(s, 4)) || (n == 7 && s[4] == '-') ||
                  (n == 5 && s[0] == '-');
    if (partial && !reduced)
        return VG_EPARSE; /* a year or a month is not an instant */
    if (n == 4 && all_digits(s, 4)) {
        digits(&p, 4, &f.year);
    } else if (n == 7 && s[4] == '-' && isdigit((unsigned char)s[0]) && all_digits(s + 5, 2)) {
        if (!digits(&p, 4, &f.year))
            return VG_EPARSE;
        p++;
        digits(&p, 2, &f.month);
    } else if (n == 5 && s[0] == '-' && all_digits(s + 1, 4)) {
        p++;
        digits(&p, 2, &f.year);
        f.year = century(f.year);
        digits(&p, 2, &f.month);
    } else if (n == 8 && s[2] == '-' && s[5] == '-' && isdigit((unsigned char)s[0]) &&
               isdigit((unsigned char)s[1]) && all_digits(s + 6, 2)) {
        if (!digits(&p, 2, &f.year) || *p++ != '-' || !digits(&p, 2, &f.month) ||
            *p++ != '-' || !digits(&p, 2, &f.day))
            return VG_EPARSE;
        f.year = century(f.year);
    } else if (n == 5 && all_digits(s, 5)) {
        digits(&p, 2, &f.year);
        f.year = century(f.year);
        digits(&p, 3, &ordinal);
    } else if (n == 8 && s[4] == '-' && all_digits(s + 5, 3) && isdigit((unsigned char)s[0])) {
        if (!digits(&p, 4, &f.year))
            return VG_EPARSE;
        p++;
        digits(&p, 3, &ordinal);
    } else {
        return VG_EPARSE;
    }
    if (ordinal) {
        if (ordinal > (leap(f.year) ? 366 : 365))
            return VG_EPARSE;
        f.month = 1;
        while (ordinal > days_in_month(f.year, f.month)) {
            ordinal -= days_in_month(f.year, f.month);
            f.month++;
        }
        f.day = ordinal;
    }
    return finish(&f, s, out);
}

/* Korean: "2004년 05월 28일  01:31:15", Korea Standard Time. */
static vg_err parse_korean(const char *s, int64_t *out)
{
    static const char *const marks[3] = {"\xeb\x85\x84", "\xec\x9b\x94",
                                         "\xec\x9d\xbc"}; /* 년 월 일 */
    fields f = {0};
    int *slot[3] = {&f.year, &f.month, &f.day};
    const char *p = s;
    for (int i = 0; i < 3; i++) {
        while (*p == ' ')
            p++;
        int v = 0, nd = 0;
        while (isdigit((unsigned char)*p) && nd < 4) {
            v = v * 10 + (*p++ - '0');
            nd++;
        }
        if (!nd || strncmp(p, marks[i], 3) != 0)
            return VG_EPARSE;
        *slot[i] = v;
        p += 3;
    }
    while (*p == ' ')
        p++;
    if (*p) {
        if (!digits(&p, 2, &f.hour) || *p++ != ':' || !digits(&p, 2, &f.min))
            return VG_EPARSE;
        if (*p == ':' && (p++, !digits(&p, 2, &f.sec)))
            return VG_EPARSE;
        if (*p)
            return VG_EPARSE;
    }
    f.zone = 540;
    return finish(&f, s, out);
}

vg_err date_parse(const char *s, int64_t *out)
{
    return date_parse_flags(s, 0, out);
}

vg_err date_parse_flags(const char *s, int flags, int64_t *out)
{
    if (!s)
        return vg_error_set(VG_EPARSE, "no date");
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strnlen(s, DATE_MAX_LEN + 1);
    if (n == 0)
        return vg_error_set(VG_EPARSE, "empty date");
    if (n > DATE_MAX_LEN)
        return vg_error_set(VG_EPARSE, "date too long");
    char buf[DATE_MAX_LEN + 1];
    memcpy(buf, s, n);
    while (n && isspace((unsigned char)buf[n - 1]))
        n--;
    buf[n] = '\0';
    int64_t t;
    vg_err rc;
    translate(buf);
    n = strlen(buf);
    /* "2003-012-31": a zero-padded three-digit month. */
    if (n >= 11 && buf[4] == '-' && buf[5] == '0' && isdigit((unsigned char)buf[6]) &&
        isdigit((unsigned char)buf[7]) && buf[8] == '-' && all_digits(buf, 4) == 0 &&
        isdigit((unsigned char)buf[0]))
        memmove(buf + 5, buf + 6, n - 5);
    if (parse_iso_reduced(buf, flags & DATE_REDUCED, &t) == VG_OK)
        rc = VG_OK;
    else if (strstr(buf, "\xeb\x85\x84"))
        rc = parse_korean(buf, &t) == VG_OK
                 ? VG_OK
                 : vg_error_set(VG_EPARSE, "bad Korean date '%.80s'", buf);
    else if (n >= 10 && isdigit((unsigned char)buf[0]) && isdigit((unsigned char)buf[3]) &&
        buf[4] == '-')
        rc = parse_iso(buf, buf, &t);
    else
        rc = parse_words(buf, buf, &t);
    if (rc == VG_OK)
        *out = t;
    return rc;
}

vg_err date_format_utc(int64_t t, char *out, size_t cap)
{
    /* Civil-from-days (proleptic Gregorian), no libc time zone state. */
    int64_t days = t / 86400, rem = t % 86400;
    if (rem < 0) {
        rem += 86400;
        days--;
    }
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;
    if (m <= 2)
        y++;
    if (cap < 21 || y < 0 || y > 9999)
        return VG_EINVAL;
    snprintf(out, cap, "%04d-%02d-%02dT%02d:%02d:%02dZ", (int)y, (int)m, (int)d,
             (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60));
    return VG_OK;
}
