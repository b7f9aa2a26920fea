/*
 * A bounded, blocking, multi-producer multi-consumer queue of pointers.
 *
 * The pipeline stages talk through these: a full queue blocks its producer
 * (back-pressure, bounded memory); closing wakes everyone so a stage can
 * drain and stop. Thread-safe.
 */
#ifndef VG_QUEUE_H
#define VG_QUEUE_H

#include "core/vg.h"

#include <stddef.h>

typedef struct vg_queue vg_queue;

/* Creates a queue holding at most cap items; NULL on allocation failure. */
vg_queue *vg_queue_new(size_t cap);

/* Frees the queue (NULL accepted). Items still queued are not freed:
 * drain it first. */
void vg_queue_free(vg_queue *q);

/* Blocks while full. Returns VG_ECLOSED (item not taken) once closed. */
vg_err vg_queue_push(vg_queue *q, void *item);

/* Non-blocking push: VG_ETOOBIG when full, VG_ECLOSED when closed. */
vg_err vg_queue_try_push(vg_queue *q, void *item);

/* Blocks while empty. Returns NULL once the queue is closed and empty. */
void *vg_queue_pop(vg_queue *q);

/* Waits at most timeout_ms for an item; NULL on timeout or closed+empty.
 * *closed (if given) tells the two apart. */
void *vg_queue_pop_timed(vg_queue *q, int timeout_ms, int *closed);

/* Non-blocking pop: NULL when empty. */
void *vg_queue_try_pop(vg_queue *q);

/* Closes the queue: pushes fail, pops drain what is left then get NULL. */
void vg_queue_close(vg_queue *q);

/* Number of queued items (a snapshot). */
size_t vg_queue_len(vg_queue *q);

#endif
