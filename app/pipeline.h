/*
 * The crawl pipeline: scheduler -> fetcher -> workers -> writer.
 *
 * The scheduler picks due sources; one fetcher thread drives the curl
 * multi engine; a pool of workers parses, extracts, matches brands and
 * scores; one writer thread owns the database connection and commits each
 * source's documents, mentions and fetch state in one transaction. Stages
 * talk through bounded queues.
 */
#ifndef VG_PIPELINE_H
#define VG_PIPELINE_H

#include "core/vg.h"
#include "crawler/fetch.h"

#include <signal.h>
#include <stdint.h>

typedef struct pipeline_stats {
    int64_t sources_total;   /* sources scheduled */
    int64_t sources_done;    /* their fetch state committed */
    int64_t documents;       /* new documents stored */
    int64_t mentions;        /* new mentions stored */
    int64_t errors;          /* sources whose fetch or parse failed */
    int64_t not_modified;    /* 304 answers */
} pipeline_stats;

typedef struct pipeline_options {
    int once;                /* 1: one pass over due sources, then return */
    int workers;             /* 0: one per core */
    int progress;            /* print a progress line on stderr */
    int64_t min_interval;    /* seconds (adaptive bounds) */
    int64_t max_interval;
    fetch_options fetch;
    /* Set by a signal handler to stop; a second signal exits at once. */
    volatile sig_atomic_t *stop;
    char user_agent[260];    /* crawl.user_agent; fetch.user_agent points here */
} pipeline_options;

#define PIPELINE_OPTIONS_INIT {1, 0, 0, 300, 86400, FETCH_OPTIONS_INIT, NULL, ""}

/* Reads pipeline and fetch settings ("crawl.*") from the database into o. */
vg_err pipeline_options_load(const char *db_path, pipeline_options *o);

/* Runs the pipeline on the database at db_path until the pass is over
 * (once) or *o->stop becomes non-zero. *stats (may be NULL) receives the
 * counts. Errors on single sources are recorded on them and counted, not
 * returned; the return value reports failures of the pipeline itself
 * (database, threads). */
vg_err pipeline_run(const char *db_path, const pipeline_options *o,
                    pipeline_stats *stats);

/* Installs SIGINT/SIGTERM handlers that set *flag on the first signal and
 * exit immediately (status 130) on the second. */
void pipeline_install_signals(volatile sig_atomic_t *flag);

#endif
