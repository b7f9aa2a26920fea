/*
 * The streaming spike detector (see detect.h and docs/alerts.md).
 *
 * Counts are first summed over the last quarter of an hour (a ring of at
 * most SUM_MAX buckets: one bucket when buckets are an hour) and put on a
 * scale where their noise is about constant (Anscombe's 2*sqrt(x + 3/8):
 * a Poisson count has variance ~1 there, whatever its mean), so one
 * threshold in noise units fits a brand with 2 mentions an hour and one
 * with 2,000, and a lone 5-minute blip weighs less than a quarter of an
 * hour of sustained chatter. On that scale the expected value is a slowly
 * moving level plus an hour-of-day profile, both exponentially weighted
 * averages; the noise is an exponentially weighted variance of what the
 * model missed.
 *
 * Three statistics judge a bucket, on three time scales: the bucket
 * alone (a sharp spike), a 15-minute average of residuals (a burst) and
 * a 2-hour one (a storm that builds up slowly and is small in any one
 * bucket). Each is measured against its own measured spread, and must
 * also beat the series' own recent surprises on that scale (a decayed
 * maximum), so a brand whose bots spike every day must spike harder than
 * usual to alert.
 *
 * Updates are winsorised (a bucket moves the model at most a few noise
 * units) and nearly frozen during a storm, and also while the 2-hour
 * statistic is raised: a storm that builds up over an afternoon is not
 * taken for the new normal as it grows, and a spike does not raise the
 * baseline for the weeks after it, while a lasting change of level is
 * still learnt within days. A storm alerts once, at its first credible
 * bucket, and ends after a quiet period; it alerts again only if its
 * severity rises.
 */
#include "monitor/detect.h"

#include <math.h>
#include <stdlib.h>

/* The hour-of-day profile: 24 UTC hours. */
#define SLOTS 24
/* Counts are judged summed over this many seconds: a lone 5-minute
 * bucket is often one bot or one retweet wave, a storm lasts longer. */
#define SUM_SECONDS 900
/* Ring size: the sum spans at most this many buckets (1-minute buckets
 * sum over the last 16 minutes instead of 15). */
#define SUM_MAX 16
/* Memories of the short and long averages of residuals. */
#define SHORT_HALFLIFE 900.0
#define LONG_HALFLIFE 7200.0
/* While the long average is this many noise units above expected, the
 * model learns as in a storm: a slow build-up is not absorbed. */
#define LONG_GUARD 2.0
/* Winsorising bound, in noise units, outside storms and during one. */
#define CLAMP_CALM 3.0
#define CLAMP_STORM 0.5
/* Noise never assumed below this (transformed scale): a series of
 * zeros must not make a single mention look like a storm. */
#define SD_FLOOR 0.5
/* Cold start: the noise assumed before any is measured (Poisson's). */
#define VAR_PRIOR 1.0

struct detect {
    detect_params p;
    int64_t n;          /* buckets seen */
    int64_t t0, tprev;  /* first and previous bucket times */
    double level, var;  /* transformed scale */
    double prof[SLOTS];
    double prof_n[SLOTS];
    double sres, svar;  /* short average of residuals and its variance */
    double sexcess;     /* short average of counts above expected */
    double lres, lvar;  /* long average of residuals and its variance */
    double lexcess;     /* long average of counts above expected */
    double ring[SUM_MAX]; /* the last buckets, summed in ring_sum */
    double ring_sum;
    int ring_len, ring_pos, ring_fill;
    double inv_len;     /* 1 / ring_len */
    /* Cached per-step smoothing factors (steps are usually regular). */
    double dt_cached, a_level, a_prof, a_short, a_long;
    double k_short, k_long; /* spread of an average of white noise, per unit */
    double a_memory;
    double rec_point;   /* decayed maxima of past z (bucket, short and long */
    double rec_short;   /* averages): how surprising is usual for this */
    double rec_long;    /* series on each time scale */
    int64_t hour_start; /* the UTC hour of the last bucket, and its slot */
    int slot;
    int in_storm;
    detect_severity storm_sev;
    double storm_z;     /* z of the storm's last alert */
    int64_t calm_since; /* start of the current calm stretch in a storm, -1 none */
};

static double transform(double x)
{
    return 2.0 * sqrt(x + 0.375);
}

static double untransform(double y)
{
    if (y <= 2.0 * sqrt(0.375))
        return 0.0;
    return y * y / 4.0 - 0.375;
}

/* The EWMA weight of one step of dt seconds for a half-life of h. */
static double weight(double dt, double h)
{
    return 1.0 - exp(-0.6931471805599453 * dt / h);
}

static double clampd(double v, double lo, double hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

vg_err detect_new(const detect_params *params, detect **out)
{
    static const detect_params defaults = DETECT_PARAMS_INIT;
    const detect_params *p = params ? params : &defaults;
    *out = NULL;
    if (!(p->baseline_halflife > 0) || !(p->profile_halflife > 0) || !(p->threshold > 0) ||
        !(p->min_excess >= 0) || !(p->quiet >= 0) || !(p->warmup >= 0) || !(p->memory > 0))
        return vg_error_set(VG_EINVAL, "detector parameters must be positive");
    detect *d = calloc(1, sizeof *d);
    if (!d)
        return vg_error_set(VG_ENOMEM, "out of memory");
    d->p = *p;
    d->calm_since = -1;
    d->hour_start = INT64_MAX / 2; /* no hour cached yet */
    *out = d;
    return VG_OK;
}

void detect_free(detect *d)
{
    free(d);
}

static detect_severity severity_of(double z, double thr)
{
    if (z >= 4.0 * thr)
        return DETECT_HIGH;
    if (z >= 2.0 * thr)
        return DETECT_MEDIUM;
    return DETECT_LOW;
}

void detect_push(detect *d, int64_t t, double value, detect_result *out)
{
    double v = isfinite(value) && value > 0 ? value : 0.0;
    /* The hour slot, recomputed only when t leaves the cached hour: a
     * 64-bit division per bucket costs as much as the rest of the model. */
    if (t < d->hour_start || t >= d->hour_start + 3600) {
        int64_t day_s = (t % 86400 + 86400) % 86400;
        d->hour_start = t - day_s % 3600;
        d->slot = (int)(day_s / 3600);
    }
    int slot = d->slot;

    if (d->n == 0) {
        /* The first bucket fixes the sum's length: the steps after it
         * are usually the same (gaps make the sum span longer). */
        d->ring_len = 1;
        d->ring[0] = v;
        d->ring_sum = v;
        d->ring_fill = 1;
        double y = transform(v);
        d->t0 = d->tprev = t;
        d->level = y;
        d->var = VAR_PRIOR;
        d->n = 1;
        *out = (detect_result){0.0, 0, 0, 0.0, v, untransform(y - 3.0), untransform(y + 3.0),
                               DETECT_NONE};
        return;
    }
    if (d->n == 1) {
        int64_t step = t - d->tprev;
        int len = step > 0 ? (int)((SUM_SECONDS + step / 2) / step) : 1;
        d->ring_len = len < 1 ? 1 : len > SUM_MAX ? SUM_MAX : len;
        d->inv_len = 1.0 / (double)d->ring_len;
        /* The level started from one bucket; it is a sum from now on. */
        d->level = transform(untransform(d->level) * (double)d->ring_len);
    }
    /* The sum of the last ring_len buckets, O(1): add the new, drop the
     * oldest. While the ring fills, the sum is scaled up to its length. */
    if (++d->ring_pos == d->ring_len)
        d->ring_pos = 0;
    if (d->ring_fill < d->ring_len) {
        d->ring_fill++;
        d->ring[d->ring_pos] = 0;
    }
    d->ring_sum += v - d->ring[d->ring_pos];
    d->ring[d->ring_pos] = v;
    if (d->ring_sum < 0)
        d->ring_sum = 0; /* rounding of long runs of adds and drops */
    double x = d->ring_fill == d->ring_len
                   ? d->ring_sum
                   : d->ring_sum * (double)d->ring_len / (double)d->ring_fill;
    double y = transform(x);
    double dt = (double)(t - d->tprev);
    if (dt <= 0)
        dt = d->dt_cached > 0 ? d->dt_cached : 1.0;
    if (dt != d->dt_cached) {
        d->dt_cached = dt;
        d->a_level = weight(dt, d->p.baseline_halflife);
        /* A profile slot is visited one step in 24: its half-life in
         * visits is the profile half-life over 24. */
        d->a_prof = weight(dt * SLOTS, d->p.profile_halflife);
        d->a_short = weight(dt, SHORT_HALFLIFE);
        d->a_long = weight(dt, LONG_HALFLIFE);
        d->k_short = sqrt(d->a_short / (2.0 - d->a_short));
        d->k_long = sqrt(d->a_long / (2.0 - d->a_long));
        d->a_memory = 1.0 - weight(dt, d->p.memory);
    }
    d->tprev = t;
    d->n++;

    double pred = d->level + d->prof[slot];
    double sd = sqrt(d->var > SD_FLOOR * SD_FLOOR ? d->var : SD_FLOOR * SD_FLOOR);
    double r = y - pred;
    double expected = untransform(pred);
    double z_point = r / sd;

    /* The short average and its own noise (residuals are correlated, so
     * the average's spread is measured rather than derived). */
    double as = d->a_short;
    d->sres += as * (r - d->sres);
    d->sexcess += as * ((x - expected) - d->sexcess);
    double ssd_floor = sd * d->k_short;
    double ssd = sqrt(d->svar > ssd_floor * ssd_floor ? d->svar : ssd_floor * ssd_floor);
    double z_short = d->sres / ssd;
    double alo = d->a_long;
    d->lres += alo * (r - d->lres);
    d->lexcess += alo * ((x - expected) - d->lexcess);
    double lsd_floor = sd * d->k_long;
    double lsd = sqrt(d->lvar > lsd_floor * lsd_floor ? d->lvar : lsd_floor * lsd_floor);
    double z_long = d->lres / lsd;

    double thr = d->p.threshold;
    int warm = (double)(t - d->t0) >= d->p.warmup;
    int trig_point = z_point >= thr && x - expected >= d->p.min_excess;
    int trig_short = z_short >= thr && d->sexcess >= d->p.min_excess;
    int trig_long = z_long >= thr && d->lexcess >= d->p.min_excess;
    double z = z_point > z_short ? z_point : z_short;
    if (z_long > z)
        z = z_long;
    /* Only what beats the series' own recent surprises is news: a brand
     * that spikes every day must spike harder than usual to alert. */
    double rp = d->rec_point * d->a_memory, rs = d->rec_short * d->a_memory;
    double rl = d->rec_long * d->a_memory;
    /* Surprises measured before the model has seen a day are not a
     * series' norm: they would mute its first real storm. */
    if (warm) {
        d->rec_point = z_point > rp ? z_point : rp;
        d->rec_short = z_short > rs ? z_short : rs;
        d->rec_long = z_long > rl ? z_long : rl;
    }
    int trig = warm && ((trig_point && z_point >= rp) || (trig_short && z_short >= rs) ||
                        (trig_long && z_long >= rl));

    int alert = 0;
    detect_severity sev = trig ? severity_of(z, thr) : DETECT_NONE;
    if (trig && !d->in_storm) {
        d->in_storm = 1;
        d->storm_sev = sev;
        d->storm_z = z;
        d->calm_since = -1;
        alert = 1;
    } else if (d->in_storm) {
        /* Worse means a higher severity and at least twice as unusual as
         * at the last alert, so a storm crossing a severity line while
         * it builds up does not alert twice in ten minutes. It is judged
         * on the bucket and the short average only: the long average of
         * any lasting storm keeps growing while the model holds still. */
        double zq = z_point > z_short ? z_point : z_short;
        detect_severity qsev = severity_of(zq, thr);
        if (trig && qsev > d->storm_sev && zq >= 2.0 * d->storm_z) {
            d->storm_sev = qsev;
            d->storm_z = zq;
            sev = qsev;
            alert = 1;
        }
        if (z >= thr * 0.5) {
            d->calm_since = -1;
        } else {
            if (d->calm_since < 0)
                d->calm_since = t;
            if ((double)(t - d->calm_since) >= d->p.quiet)
                d->in_storm = 0;
        }
    }

    /* Learn, winsorised; during a storm, or while one may be building up
     * (the long average is raised), the level barely follows, so the
     * storm is not taken for the new normal unless it lasts for days.
     * Not during the warm-up: the model is still finding the level. */
    double c = d->in_storm || (warm && z_long >= LONG_GUARD) ? CLAMP_STORM : CLAMP_CALM;
    double rc = clampd(r, -CLAMP_CALM * sd, c * sd);
    double al = d->a_level;
    /* Cold start: a plain mean at first (compared without dividing:
     * this runs for every bucket, the division only while warming up). */
    if (al * (double)d->n < 1.0)
        al = 1.0 / (double)d->n;
    double ap = d->a_prof;
    if (ap * (d->prof_n[slot] + 2.0) < 1.0)
        ap = 1.0 / (d->prof_n[slot] + 2.0);
    d->prof_n[slot] += 1.0;
    d->level += al * rc;
    d->prof[slot] += ap * (rc - al * rc);
    double rv = rc * rc;
    if (!d->in_storm)
        d->var += al * (rv - d->var);
    double sc = clampd(d->sres, -CLAMP_CALM * ssd, c * ssd);
    double lc = clampd(d->lres, -CLAMP_CALM * lsd, c * lsd);
    if (!d->in_storm) {
        d->svar += al * (sc * sc - d->svar);
        d->lvar += al * (lc * lc - d->lvar);
    }

    out->z = z;
    out->alert = alert;
    out->in_storm = d->in_storm;
    /* The model works on sums; the verdict speaks of one bucket. */
    out->expected = expected * d->inv_len;
    out->low = untransform(pred - 3.0 * sd) * d->inv_len;
    out->high = untransform(pred + 3.0 * sd) * d->inv_len;
    out->severity = alert ? sev : (d->in_storm ? d->storm_sev : DETECT_NONE);
    double s = z > 0 ? z / (z + thr) : 0.0;
    /* The score is monotone in z, but only the buckets that alert reach
     * 0.5: a threshold at 0.5 gives exactly the default alerts. */
    out->score = alert ? (s > 0.5 ? s : 0.5) : (s < 0.4999 ? s : 0.4999);
}

void detect_peek(const detect *d, int64_t t, double value, detect_result *out)
{
    detect copy = *d; /* under a kilobyte: cheaper than undoing */
    detect_push(&copy, t, value, out);
}

const char *detect_severity_name(detect_severity s)
{
    switch (s) {
    case DETECT_LOW: return "low";
    case DETECT_MEDIUM: return "medium";
    case DETECT_HIGH: return "high";
    default: return "none";
    }
}

int detect_severity_parse(const char *s)
{
    static const char *names[] = {"low", "medium", "high"};
    for (int i = 0; i < 3; i++) {
        const char *a = s, *b = names[i];
        while (*a && *a == *b) {
            a++;
            b++;
        }
        if (!*a && !*b)
            return i + 1;
    }
    return -1;
}
