/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Packet captures for switch-ctl capture: each runs a datapath capture on
 * one port (dp.h) and a thread that writes what it catches as a pcap
 * stream to a unix socket in the run directory, which switch-ctl connects
 * to. The thread writes with blocking writes: a slow reader slows only it,
 * and the datapath leaves packets out of the capture (counted) instead of
 * waiting. Control-thread API.
 */
#ifndef VS_CAPTURE_H
#define VS_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bridges;
struct captures;

struct capture_result {
	uint64_t written;  /* packets sent to the reader */
	uint64_t captured; /* packets the datapath kept */
	uint64_t dropped;  /* left out: the reader was too slow */
	bool port_gone;    /* the port was deleted during the capture */
};

enum { CAPTURE_ERR_MAX = 256 };

struct captures *captures_create(struct bridges *b, const char *run_dir);
void captures_destroy(struct captures *c);

/* Starts capturing on running port 'port' ('filter': pcap filter syntax,
 * NULL or "" for every packet; 'snaplen' 0: the maximum; 'count' 0: no
 * end). The stream waits on a unix socket whose path goes to 'path'
 * (a capture nobody connects to within 5 s ends). Returns 0 and the id,
 * or -errno with a reason in 'err'. */
int captures_start(struct captures *c, const char *port, const char *filter, uint32_t snaplen,
		   uint64_t count, uint32_t *id, char *path, size_t path_size, char *err);

/* Ends capture 'id' (or reads the result of one that ended by itself).
 * Returns 0 or -ENOENT. */
int captures_stop(struct captures *c, uint32_t id, struct capture_result *r);

/* Reaps captures that ended (count reached, reader gone, port deleted). */
void captures_run(struct captures *c);

/* Ends every capture (the datapath is about to go). */
void captures_stop_all(struct captures *c);

#endif /* VS_CAPTURE_H */
