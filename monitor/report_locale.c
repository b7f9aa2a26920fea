/*
 * Locale for reports: the French and English strings of the digest and
 * the way each language writes numbers, percentages and dates. Only the
 * two languages vigie scores are supported, so a table beats pulling in
 * the C library's locales (which a server may not have installed and
 * which are process-global).
 */
#include "monitor/report_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* U+202F NARROW NO-BREAK SPACE, French thousands separator (CLDR). */
#define NNBSP "\xe2\x80\xaf"
/* U+00A0 NO-BREAK SPACE, before % and : in French. */
#define NBSP "\xc2\xa0"
/* U+2212 MINUS SIGN. */
#define MINUS "\xe2\x88\x92"

static const char *const msgs[M__COUNT][2] = {
    [M_TITLE] = {"Listening digest", "Synthèse de veille"},
    [M_PERIOD] = {"Period", "Période"},
    [M_PREVIOUS] = {"compared with", "comparée à"},
    [M_GENERATED] = {"Generated", "Produit le"},
    [M_MENTIONS] = {"Mentions", "Mentions"},
    [M_NET] = {"Net sentiment", "Sentiment net"},
    [M_NEG_SHARE] = {"Negative share", "Part négative"},
    [M_SOURCES] = {"Sources", "Sources"},
    [M_ALERTS] = {"Alerts fired", "Alertes déclenchées"},
    [M_THIS_PERIOD] = {"This period", "Cette période"},
    [M_PREV_PERIOD] = {"Previous period", "Période précédente"},
    [M_CHANGE] = {"Change", "Évolution"},
    [M_DAILY] = {"Daily volume by sentiment", "Volume quotidien par sentiment"},
    [M_TREND] = {"Net sentiment over 8 weeks", "Sentiment net sur 8 semaines"},
    [M_SOV] = {"Share of voice", "Part de voix"},
    [M_TOP_SOURCES] = {"Top sources", "Principales sources"},
    [M_MOST_POS] = {"Most positive mentions", "Mentions les plus positives"},
    [M_MOST_NEG] = {"Most negative mentions", "Mentions les plus négatives"},
    [M_EMERGING] = {"Emerging terms", "Termes émergents"},
    [M_PERIOD_ALERTS] = {"Alerts of the period", "Alertes de la période"},
    [M_GOALS] = {"Goals", "Objectifs"},
    [M_METHOD] = {"Method", "Méthode"},
    [M_POSITIVE] = {"Positive", "Positif"},
    [M_NEUTRAL] = {"Neutral", "Neutre"},
    [M_NEGATIVE] = {"Negative", "Négatif"},
    [M_EMPTY] = {"No mentions in this period.", "Aucune mention sur cette période."},
    [M_NO_ALERTS] = {"No alerts fired in this period.",
                     "Aucune alerte déclenchée sur cette période."},
    [M_SINCE] = {"Tracked since %s: this brand was added during the period.",
                 "Suivie depuis le %s : cette marque a été ajoutée pendant la période."},
    [M_NO_PREV] = {"n/a", "n.d."},
    [M_MET] = {"met", "atteint"},
    [M_ON_TRACK] = {"on track", "en bonne voie"},
    [M_OFF_TRACK] = {"off track", "hors trajectoire"},
    [M_NO_DATA] = {"no data", "pas de données"},
    [M_METHOD_NOTE] = {"Sentiment is scored automatically (French and English lexicons and "
                       "rules); it can miss irony and context. Net sentiment is "
                       "(positive - negative) / mentions. Syndicated copies of one text "
                       "appear once in the lists of mentions. Times are UTC.",
                       "Le sentiment est calculé automatiquement (lexiques et règles, "
                       "français et anglais) ; il peut se tromper sur l'ironie et le "
                       "contexte. Sentiment net = (positives - négatives) / mentions. "
                       "Les reprises d'un même texte n'apparaissent qu'une fois dans les "
                       "listes de mentions. Heures en UTC."},
    [M_CORRECTED_NOTE] = {"mentions of this period were corrected by hand; a correction "
                          "overrides the automatic label.",
                          "mentions de cette période ont été corrigées à la main ; une "
                          "correction remplace l'étiquette automatique."},
    [M_TERMS_NOTE] = {"Words and phrases used markedly more than in the four previous "
                      "weeks (log-likelihood G², stop words removed).",
                      "Mots et expressions nettement plus employés que les quatre "
                      "semaines précédentes (log-vraisemblance G², mots vides retirés)."},
    [M_NO_TERMS] = {"No emerging term.", "Aucun terme émergent."},
    [M_COPIES] = {"copies", "reprises"},
    [M_TERM] = {"Term", "Terme"},
    [M_PREV4] = {"Previous 4 weeks", "4 semaines précédentes"},
    [M_METRIC] = {"Metric", "Indicateur"},
    [M_TARGET] = {"Target", "Cible"},
    [M_CURRENT] = {"Now", "Actuel"},
    [M_BY] = {"By", "Échéance"},
    [M_STATUS] = {"Status", "État"},
    [M_DAY] = {"Day", "Jour"},
    [M_WEEK_OF] = {"Week of", "Semaine du"},
    [M_TOTAL] = {"Total", "Total"},
    [M_BRAND] = {"Brand", "Marque"},
    [M_SHARE] = {"Share", "Part"},
    [M_SOURCE] = {"Source", "Source"},
    [M_DATE] = {"Date", "Date"},
    [M_SCORE] = {"Score", "Score"},
    [M_SEVERITY] = {"Severity", "Gravité"},
    [M_OBSERVED] = {"Observed", "Observé"},
    [M_EXPECTED] = {"Expected", "Attendu"},
    [M_NO_BRANDS] = {"No brand is tracked yet.", "Aucune marque n'est suivie."},
    [M_NONE] = {"None.", "Aucune."},
    [M_PTS] = {" pts", " pts"},
    [M_M_NET] = {"Net sentiment", "Sentiment net"},
    [M_M_NEG] = {"Negative share", "Part négative"},
    [M_M_VOLUME] = {"Volume (mentions)", "Volume (mentions)"},
    [M_M_SOV] = {"Share of voice", "Part de voix"},
    [M_CORRECTED] = {"corrected", "corrigée"},
    [M_NO_GOALS] = {"No goal set (vigie goal add).", "Aucun objectif (vigie goal add)."},
};

const char *report_tr(report_locale l, report_msg m)
{
    if ((unsigned)m >= M__COUNT)
        return "";
    return msgs[m][l == REPORT_FR ? 1 : 0];
}

const char *report_metric_name(report_locale l, const char *metric)
{
    if (strcmp(metric, "net-sentiment") == 0)
        return report_tr(l, M_M_NET);
    if (strcmp(metric, "negative-share") == 0)
        return report_tr(l, M_M_NEG);
    if (strcmp(metric, "volume") == 0)
        return report_tr(l, M_M_VOLUME);
    if (strcmp(metric, "share-of-voice") == 0)
        return report_tr(l, M_M_SOV);
    return metric;
}

const char *report_status_name(report_locale l, digest_goal_status s)
{
    switch (s) {
    case DIGEST_GOAL_MET: return report_tr(l, M_MET);
    case DIGEST_GOAL_ON_TRACK: return report_tr(l, M_ON_TRACK);
    case DIGEST_GOAL_OFF_TRACK: return report_tr(l, M_OFF_TRACK);
    default: return report_tr(l, M_NO_DATA);
    }
}

int report_format_parse(const char *s)
{
    static const char *const names[] = {"html", "md", "txt", "json"};

    for (int i = 0; s != NULL && i < 4; i++)
        if (strcmp(s, names[i]) == 0)
            return i;
    if (s != NULL && strcmp(s, "markdown") == 0)
        return REPORT_MD;
    if (s != NULL && strcmp(s, "text") == 0)
        return REPORT_TXT;
    return -1;
}

const char *report_format_name(report_format f)
{
    static const char *const names[] = {"html", "md", "txt", "json"};

    return (unsigned)f < 4 ? names[f] : "html";
}

int report_locale_parse(const char *s)
{
    if (s == NULL || strlen(s) < 2 || (s[2] != '\0' && s[2] != '_' && s[2] != '-' &&
                                       s[2] != '.'))
        return -1;
    if (strncasecmp(s, "en", 2) == 0)
        return REPORT_EN;
    if (strncasecmp(s, "fr", 2) == 0)
        return REPORT_FR;
    return -1;
}

const char *report_locale_name(report_locale l)
{
    return l == REPORT_FR ? "fr" : "en";
}

void report_fmt_number(vg_buf *out, report_locale l, double v, int decimals)
{
    char digits[64];
    const char *sep = l == REPORT_FR ? NNBSP : ",";
    const char *dot = l == REPORT_FR ? "," : ".";
    char *point;
    size_t ilen;

    if (!isfinite(v))
        v = 0.0;
    if (decimals < 0)
        decimals = 0;
    if (decimals > 6)
        decimals = 6;
    snprintf(digits, sizeof digits, "%.*f", decimals, fabs(v));
    /* "-0.0" is not a number anyone wants to read. */
    if (v < 0 && strspn(digits, "0.") != strlen(digits))
        vg_buf_puts(out, l == REPORT_FR ? MINUS : "-");
    point = strchr(digits, '.');
    ilen = point ? (size_t)(point - digits) : strlen(digits);
    for (size_t i = 0; i < ilen; i++) {
        if (i > 0 && (ilen - i) % 3 == 0)
            vg_buf_puts(out, sep);
        vg_buf_putc(out, digits[i]);
    }
    if (point != NULL) {
        vg_buf_puts(out, dot);
        vg_buf_puts(out, point + 1);
    }
}

void report_fmt_percent(vg_buf *out, report_locale l, double frac, int decimals)
{
    report_fmt_number(out, l, frac * 100.0, decimals);
    vg_buf_puts(out, l == REPORT_FR ? NBSP "%" : "%");
}

void report_fmt_signed(vg_buf *out, report_locale l, double v, int decimals,
                       const char *suffix)
{
    double r = pow(10.0, decimals);

    if (isfinite(v) && round(v * r) > 0)
        vg_buf_putc(out, '+');
    else if (isfinite(v) && round(v * r) < 0) {
        vg_buf_puts(out, MINUS);
        v = -v;
    } else
        v = 0.0;
    report_fmt_number(out, l, v, decimals);
    if (suffix != NULL)
        vg_buf_puts(out, suffix);
}

void report_fmt_date(vg_buf *out, report_locale l, int64_t t)
{
    static const char *const en[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    static const char *const fr[] = {"janv.", "févr.", "mars", "avr.", "mai", "juin",
                                     "juil.", "août", "sept.", "oct.", "nov.", "déc."};
    /* Civil date from days since the epoch (Howard Hinnant's algorithm),
     * so no gmtime_r and no time_t range question. */
    int64_t z = (t >= 0 ? t / 86400 : -((-t + 86399) / 86400)) + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t day = doy - (153 * mp + 2) / 5 + 1;
    int64_t month = mp < 10 ? mp + 3 : mp - 9;
    int64_t year = yoe + era * 400 + (month <= 2);

    if (l == REPORT_FR)
        vg_buf_printf(out, "%lld %s %lld", (long long)day, fr[month - 1],
                      (long long)year);
    else
        vg_buf_printf(out, "%s %lld, %lld", en[month - 1], (long long)day,
                      (long long)year);
}

void report_html_escape(vg_buf *out, const char *s)
{
    for (; s != NULL && *s; s++) {
        switch (*s) {
        case '&': vg_buf_puts(out, "&amp;"); break;
        case '<': vg_buf_puts(out, "&lt;"); break;
        case '>': vg_buf_puts(out, "&gt;"); break;
        case '"': vg_buf_puts(out, "&quot;"); break;
        case '\'': vg_buf_puts(out, "&#39;"); break;
        default: vg_buf_putc(out, *s);
        }
    }
}

int report_url_safe(const char *url)
{
    return url != NULL && (strncasecmp(url, "https://", 8) == 0 ||
                           strncasecmp(url, "http://", 7) == 0);
}
