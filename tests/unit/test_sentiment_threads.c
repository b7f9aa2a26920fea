/*
 * The engine is shared read-only by the worker threads: scoring from
 * several threads at once (each borrowing its own stemmer) must give the
 * same answers as scoring from one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <pthread.h>

#include "sentiment/senti.h"

static const char *const texts[] = {
    "déçue par la livraison", "les conseillers sont décevants",
    "vraiment génialissime", "I absolutely loved it", "they refunded me",
    "c'est nuuuul", "pas terrible du tout", "awful outage again",
};
#define NTEXT (sizeof texts / sizeof texts[0])

typedef struct job {
    const senti_engine *e;
    double got[NTEXT];
    int failed;
} job;

static void *worker(void *arg)
{
    job *j = arg;
    for (int round = 0; round < 200; round++)
        for (size_t i = 0; i < NTEXT; i++) {
            senti_result r;
            if (senti_score(j->e, texts[i], strlen(texts[i]), NULL, &r, NULL))
                j->failed = 1;
            j->got[i] = r.compound;
        }
    return NULL;
}

static void threads_agree_with_one_thread(void **state)
{
    (void)state;
    senti_engine *e = NULL;
    assert_int_equal(senti_open(&e), VG_OK);
    job ref = {.e = e};
    worker(&ref);
    job jobs[4];
    pthread_t th[4];
    for (int k = 0; k < 4; k++) {
        memset(&jobs[k], 0, sizeof jobs[k]);
        jobs[k].e = e;
        assert_int_equal(pthread_create(&th[k], NULL, worker, &jobs[k]), 0);
    }
    for (int k = 0; k < 4; k++) {
        pthread_join(th[k], NULL);
        assert_false(jobs[k].failed);
        for (size_t i = 0; i < NTEXT; i++)
            assert_true(jobs[k].got[i] == ref.got[i]);
    }
    senti_close(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(threads_agree_with_one_thread),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
