/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A bridge's OpenFlow state on disk, so that a restart (clean or kill -9)
 * loses no flow, group, meter or OpenFlow port number.
 *
 * Two files per bridge in the state directory (docs/vswitchd.md):
 * BRIDGE.snap, a snapshot, and BRIDGE.log, the changes made since, both a
 * sequence of records after an 8-byte magic "VSOFST01":
 *
 *   u32 payload length, u32 CRC32C of the payload, payload
 *   payload: u8 kind, then for kind 1 an OpenFlow 1.3 flow mod, group mod
 *   or meter mod, for kind 2 a u32 OpenFlow port number and the port name
 *   (all integers big endian)
 *
 * Every change the bridge reports (ofproto.h, "Journal") becomes a record
 * in memory; ofstate_flush() writes them before the switch acknowledges
 * anything (a barrier reply, a switch-ctl reply), so what was acknowledged
 * survives kill -9, and fdatasync()s them within about 100 ms (a power loss
 * may take the last changes before it). A record is whole or ignored: a torn
 * record at the end of the log (a write cut by a crash, never
 * acknowledged) is dropped; a bad record anywhere else is corruption,
 * reported with its file and offset, and the file is set aside as
 * FILE.corrupt-SECONDS, never overwritten. When the log outgrows the state
 * it is compacted: a new snapshot is written, synced and renamed over the
 * old one, then the log is emptied; replaying a log over a snapshot that
 * already holds it changes nothing, so a crash in between loses nothing.
 *
 * Main thread only; the records are made under ofproto_lock().
 */
#ifndef VS_OFSTATE_H
#define VS_OFSTATE_H

#include <stdbool.h>
#include <stdint.h>

#include "ofproto.h"

struct ofstate;

/* Opens (creating if need be) the state of bridge 'bridge' in directory
 * 'dir'. NULL with a reason in 'err' (256 bytes). */
struct ofstate *ofstate_open(const char *dir, const char *bridge, char *err);

/* Replays the snapshot and the log into 'ofp' (a new bridge, no port yet;
 * call with ofproto_lock() held), then journals every change of 'ofp'.
 * Logs what it restored and what it could not. Returns the number of
 * records applied. */
uint64_t ofstate_load(struct ofstate *s, struct ofproto *ofp, uint64_t now_ms);

/* Writes the records made so far (call before acknowledging a change)
 * and fdatasync()s them unless the last sync is less than SYNC_MS old
 * (then a later call does: call it from the main loop too). Compacts when
 * the log has grown past twice the state. Call without ofproto_lock().
 * Returns 0 or -errno (logged once). */
int ofstate_flush(struct ofstate *s, uint64_t now_ms);

/* The OpenFlow port number remembered for port 'name' (0: none), and
 * whether 'no' is remembered for a port other than 'name'. */
uint32_t ofstate_port_number(const struct ofstate *s, const char *name);
bool ofstate_port_reserved(const struct ofstate *s, uint32_t no, const char *name);
/* Remembers that port 'name' has number 'no'. */
void ofstate_port_set(struct ofstate *s, const char *name, uint32_t no);

/* Writes the bridge's running tables as a new snapshot and empties the
 * log, now. If the files could not be read at start (nothing was kept
 * since), they are replaced and the state is kept again from now on: the
 * operator's choice. Call without ofproto_lock(). 0, or -errno with a
 * reason in 'err' (256 bytes). */
int ofstate_save(struct ofstate *s, char *err);

/* Forgets the number of every port for which keep() is false (the next
 * snapshot has only the others). */
void ofstate_forget_ports(struct ofstate *s, bool (*keep)(void *aux, const char *name), void *aux);

struct ofstate_stats {
	const char *dir, *snap_path, *log_path;
	bool off;          /* the files could not be read at start: not kept */
	bool write_failed; /* the last write failed (changes wait in memory) */
	uint64_t snap_records, log_records;
	uint64_t snap_bytes, log_bytes;
	uint64_t compactions;
	uint64_t restored, refused; /* records applied and refused at start */
	uint32_t port_numbers;      /* ports whose number is remembered */
	const char *set_aside[2];   /* corrupt snapshot and log set aside at
				     * start ("": none) */
};
void ofstate_get_stats(const struct ofstate *s, struct ofstate_stats *st);

/* Writes what is pending, stops journaling and frees 's'; with 'remove',
 * deletes the bridge's files (the bridge was deleted). Call with
 * ofproto_lock() held (the bridge's journal is detached). */
void ofstate_close(struct ofstate *s, bool remove);

#endif /* VS_OFSTATE_H */
