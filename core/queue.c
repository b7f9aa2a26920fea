/*
 * vg_queue: a ring buffer under one mutex with two condition variables.
 */
#include "core/queue.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

struct vg_queue {
    pthread_mutex_t mu;
    pthread_cond_t not_empty;
    pthread_cond_t not_full;
    void **items;
    size_t cap, head, len;
    int closed;
};

vg_queue *vg_queue_new(size_t cap)
{
    if (cap == 0)
        cap = 1;
    vg_queue *q = calloc(1, sizeof *q);
    if (!q)
        return NULL;
    q->items = calloc(cap, sizeof *q->items);
    if (!q->items) {
        free(q);
        return NULL;
    }
    q->cap = cap;
    pthread_mutex_init(&q->mu, NULL);
    pthread_cond_init(&q->not_empty, NULL);
    pthread_cond_init(&q->not_full, NULL);
    return q;
}

void vg_queue_free(vg_queue *q)
{
    if (!q)
        return;
    pthread_mutex_destroy(&q->mu);
    pthread_cond_destroy(&q->not_empty);
    pthread_cond_destroy(&q->not_full);
    free(q->items);
    free(q);
}

static void put(vg_queue *q, void *item)
{
    q->items[(q->head + q->len) % q->cap] = item;
    q->len++;
    pthread_cond_signal(&q->not_empty);
}

static void *take(vg_queue *q)
{
    void *item = q->items[q->head];
    q->head = (q->head + 1) % q->cap;
    q->len--;
    pthread_cond_signal(&q->not_full);
    return item;
}

vg_err vg_queue_push(vg_queue *q, void *item)
{
    pthread_mutex_lock(&q->mu);
    while (q->len == q->cap && !q->closed)
        pthread_cond_wait(&q->not_full, &q->mu);
    if (q->closed) {
        pthread_mutex_unlock(&q->mu);
        return VG_ECLOSED;
    }
    put(q, item);
    pthread_mutex_unlock(&q->mu);
    return VG_OK;
}

vg_err vg_queue_try_push(vg_queue *q, void *item)
{
    vg_err rc = VG_OK;
    pthread_mutex_lock(&q->mu);
    if (q->closed)
        rc = VG_ECLOSED;
    else if (q->len == q->cap)
        rc = VG_ETOOBIG;
    else
        put(q, item);
    pthread_mutex_unlock(&q->mu);
    return rc;
}

void *vg_queue_pop(vg_queue *q)
{
    pthread_mutex_lock(&q->mu);
    while (q->len == 0 && !q->closed)
        pthread_cond_wait(&q->not_empty, &q->mu);
    void *item = q->len ? take(q) : NULL;
    pthread_mutex_unlock(&q->mu);
    return item;
}

void *vg_queue_pop_timed(vg_queue *q, int timeout_ms, int *closed)
{
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += timeout_ms / 1000;
    deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&q->mu);
    while (q->len == 0 && !q->closed) {
        if (pthread_cond_timedwait(&q->not_empty, &q->mu, &deadline) == ETIMEDOUT)
            break;
    }
    void *item = q->len ? take(q) : NULL;
    if (closed)
        *closed = q->closed && q->len == 0 && !item;
    pthread_mutex_unlock(&q->mu);
    return item;
}

void *vg_queue_try_pop(vg_queue *q)
{
    pthread_mutex_lock(&q->mu);
    void *item = q->len ? take(q) : NULL;
    pthread_mutex_unlock(&q->mu);
    return item;
}

void vg_queue_close(vg_queue *q)
{
    pthread_mutex_lock(&q->mu);
    q->closed = 1;
    pthread_cond_broadcast(&q->not_empty);
    pthread_cond_broadcast(&q->not_full);
    pthread_mutex_unlock(&q->mu);
}

size_t vg_queue_len(vg_queue *q)
{
    pthread_mutex_lock(&q->mu);
    size_t n = q->len;
    pthread_mutex_unlock(&q->mu);
    return n;
}
