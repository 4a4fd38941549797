/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A bridge's OpenFlow state on disk (ofstate.h): the records the bridge's
 * journal makes, their files, the replay at start and the compaction.
 */
#include "ofstate.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <nmmintrin.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fileio.h"
#include "log.h"
#include "ofp_msg.h"
#include "ofp_tlv.h"

enum {
	REC_OFMSG = 1,
	REC_PORT = 2,
	REC_MAX = 1 << 20,    /* no record is longer */
	SYNC_MS = 20,         /* written changes are fdatasync()ed this soon */
	COMPACT_MIN = 10000,  /* log records before a compaction is considered */
	WRITE_CHUNK = 1 << 20 /* a snapshot is written in pieces of this size */
};

static const char MAGIC[8] = {'V', 'S', 'O', 'F', 'S', 'T', '0', '1'};

struct port_no {
	char name[16];
	uint32_t no;
};

struct ofstate {
	char snap_path[PATH_MAX], log_path[PATH_MAX], dir[PATH_MAX];
	int log_fd;
	struct ofproto *ofp;
	struct obuf pending; /* records not yet written */
	bool unsynced;       /* written, not yet fdatasync()ed */
	int spill_fd;        /* compaction: where full pieces of 'pending' go */
	int spill_err;
	bool failed; /* a write failed: logged once */
	bool off;    /* the files could not be read: left alone, nothing kept */
	uint64_t last_sync_ms;
	uint64_t snap_records, log_records, snap_bytes, log_bytes, compactions;
	uint64_t restored, refused;   /* records at the last load */
	char aside[2][PATH_MAX + 32]; /* files set aside at the last load */
	struct port_no *ports;
	uint32_t n_ports;
};

static uint32_t
crc32c(const uint8_t *p, size_t n)
{
	uint64_t crc = 0xffffffffu;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		uint64_t w;

		memcpy(&w, p + i, 8);
		crc = _mm_crc32_u64(crc, w);
	}
	for (; i < n; i++) {
		crc = _mm_crc32_u8((uint32_t)crc, p[i]);
	}
	return (uint32_t)crc ^ 0xffffffffu;
}

static void
put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t
get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* A record of 'kind': record_begin() reserves its header, the caller
 * appends the payload, record_end() fills in the length and CRC. */
static size_t
record_begin(struct obuf *b, uint8_t kind)
{
	size_t start = b->size;

	obuf_put(b, NULL, 8);
	*obuf_put(b, NULL, 1) = kind;
	return start;
}

static void
record_end(struct obuf *b, size_t start)
{
	uint32_t len = (uint32_t)(b->size - start - 8);

	put_be32(b->data + start, len);
	put_be32(b->data + start + 4, crc32c(b->data + start + 8, len));
}

/* ---- Journal callbacks: records in memory ---- */

/* Counts a record; while a snapshot is written, spills full pieces. */
static void
after_record(struct ofstate *s)
{
	s->log_records++;
	if (s->spill_fd >= 0 && s->pending.size >= WRITE_CHUNK) {
		if (!s->spill_err) {
			s->spill_err = vs_write_all(s->spill_fd, s->pending.data, s->pending.size);
		}
		s->pending.size = 0;
	}
}

static void
rec_flow_mod(struct obuf *b, const struct ofp_flow_mod *fm)
{
	size_t start = record_begin(b, REC_OFMSG);

	ofp_encode_flow_mod(b, 0, fm);
	record_end(b, start);
}

static void
j_flow_set(void *aux, const struct ofproto_flow_info *f)
{
	struct ofstate *s = aux;
	struct ofp_flow_mod fm = {
		.command = OFPFC_ADD,
		.table_id = f->table_id,
		.match = *f->match,
		.priority = f->priority,
		.cookie = f->cookie,
		.idle_timeout = f->idle_timeout,
		.hard_timeout = f->hard_timeout,
		.flags = f->flags &
			 (OFPFF_SEND_FLOW_REM | OFPFF_NO_PKT_COUNTS | OFPFF_NO_BYT_COUNTS),
		.out_port = OFPP_ANY,
		.insts = *f->insts,
	};

	rec_flow_mod(&s->pending, &fm);
	after_record(s);
}

static void
j_flow_del(void *aux, uint8_t table_id, uint16_t priority, const struct match *m)
{
	struct ofstate *s = aux;
	struct ofp_flow_mod fm = {
		.command = OFPFC_DELETE_STRICT,
		.table_id = table_id,
		.match = *m,
		.priority = priority,
		.out_port = OFPP_ANY,
	};

	ofp_insts_init(&fm.insts);
	rec_flow_mod(&s->pending, &fm);
	after_record(s);
}

static void
j_group_mod(void *aux, const struct ofp_group_mod *gm)
{
	struct ofstate *s = aux;
	size_t start = record_begin(&s->pending, REC_OFMSG);

	ofp_encode_group_mod(&s->pending, 0, gm);
	record_end(&s->pending, start);
	after_record(s);
}

static void
j_meter_mod(void *aux, const struct ofp_meter_mod *mm)
{
	struct ofstate *s = aux;
	size_t start = record_begin(&s->pending, REC_OFMSG);

	ofp_encode_meter_mod(&s->pending, 0, mm);
	record_end(&s->pending, start);
	after_record(s);
}

static void
j_tlv_mod(void *aux, const struct ofp_tlv_mod *mod)
{
	struct ofstate *s = aux;
	size_t start = record_begin(&s->pending, REC_OFMSG);

	ofp_encode_tlv_mod(&s->pending, OFP13_VERSION, 0, mod);
	record_end(&s->pending, start);
	after_record(s);
}

static struct ofproto_journal
journal_of(struct ofstate *s)
{
	return (struct ofproto_journal){j_flow_set,  j_flow_del, j_group_mod,
					j_meter_mod, j_tlv_mod,  s};
}

static void
rec_port(struct obuf *b, const char *name, uint32_t no)
{
	size_t start = record_begin(b, REC_PORT);

	put_be32(obuf_put(b, NULL, 4), no);
	obuf_put(b, name, strlen(name));
	record_end(b, start);
}

/* ---- Port numbers ---- */

static struct port_no *
port_find(const struct ofstate *s, const char *name)
{
	for (uint32_t i = 0; i < s->n_ports; i++) {
		if (!strcmp(s->ports[i].name, name)) {
			return &s->ports[i];
		}
	}
	return NULL;
}

static void
port_remember(struct ofstate *s, const char *name, uint32_t no)
{
	struct port_no *p = port_find(s, name);

	if (!p) {
		struct port_no *a = realloc(s->ports, (s->n_ports + 1) * sizeof *a);

		if (!a) {
			return;
		}
		s->ports = a;
		p = &s->ports[s->n_ports++];
		snprintf(p->name, sizeof p->name, "%s", name);
	}
	p->no = no;
}

uint32_t
ofstate_port_number(const struct ofstate *s, const char *name)
{
	const struct port_no *p = port_find(s, name);

	return p ? p->no : 0;
}

bool
ofstate_port_reserved(const struct ofstate *s, uint32_t no, const char *name)
{
	for (uint32_t i = 0; i < s->n_ports; i++) {
		if (s->ports[i].no == no && strcmp(s->ports[i].name, name)) {
			return true;
		}
	}
	return false;
}

void
ofstate_port_set(struct ofstate *s, const char *name, uint32_t no)
{
	if (ofstate_port_number(s, name) != no) {
		port_remember(s, name, no);
		if (!s->off) {
			rec_port(&s->pending, name, no);
			s->log_records++;
		}
	}
}

/* ---- Files ---- */

/* Reads all of 'path' (NULL with *size 0 when it does not exist). */
static uint8_t *
read_file(const char *path, size_t *size, int *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	uint8_t *buf;
	size_t got = 0;

	*size = 0;
	*err = 0;
	if (fd < 0) {
		*err = errno == ENOENT ? 0 : -errno;
		return NULL;
	}
	if (fstat(fd, &st) || !(buf = malloc((size_t)st.st_size + 1))) {
		*err = -ENOMEM;
		close(fd);
		return NULL;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		if (n <= 0) {
			if (n < 0 && errno == EINTR) {
				continue;
			}
			if (n < 0) {
				*err = -errno;
			}
			break;
		}
		got += (size_t)n;
	}
	close(fd);
	*size = got;
	return buf;
}

struct ofstate *
ofstate_open(const char *dir, const char *bridge, char *err)
{
	struct ofstate *s = calloc(1, sizeof *s);

	if (!s) {
		snprintf(err, 256, "out of memory");
		return NULL;
	}
	snprintf(s->dir, sizeof s->dir, "%s", dir);
	snprintf(s->snap_path, sizeof s->snap_path, "%s/%s.snap", dir, bridge);
	snprintf(s->log_path, sizeof s->log_path, "%s/%s.log", dir, bridge);
	if (mkdir(dir, 0750) && errno != EEXIST) {
		snprintf(err, 256, "%.200s: %s", dir, strerror(errno));
		free(s);
		return NULL;
	}
	s->log_fd = open(s->log_path, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
	if (s->log_fd < 0) {
		snprintf(err, 256, "%.200s: %s", s->log_path, strerror(errno));
		free(s);
		return NULL;
	}
	obuf_init(&s->pending);
	s->spill_fd = -1;
	return s;
}

struct replay {
	const char *path;
	uint64_t applied, refused;
	char first_refusal[OFP_ERR_MAX + 64];
	bool corrupt;
	size_t corrupt_at, torn_at;
};

/* Replays the records of one file's contents; stops at the first bad
 * record (corrupt, or a torn tail when nothing whole follows). */
static void
replay(struct ofstate *s, struct ofproto *ofp, const uint8_t *buf, size_t size, uint64_t now_ms,
       struct replay *r, uint64_t *records)
{
	size_t ofs = sizeof MAGIC;

	r->torn_at = SIZE_MAX;
	if (size < sizeof MAGIC || memcmp(buf, MAGIC, sizeof MAGIC)) {
		r->corrupt = size > 0;
		r->corrupt_at = 0;
		return;
	}
	while (ofs < size) {
		uint32_t len = size - ofs >= 8 ? get_be32(buf + ofs) : 0;
		char err[OFP_ERR_MAX] = "";
		const uint8_t *p = buf + ofs + 8;
		int ret = 0;

		if (size - ofs < 8 || len > size - ofs - 8 || len > REC_MAX || !len ||
		    get_be32(buf + ofs + 4) != crc32c(p, len)) {
			/* Whole records after it: corruption; none: a torn tail. */
			bool whole_after = size - ofs >= 8 && len <= REC_MAX && len &&
					   len <= size - ofs - 8 && ofs + 8 + len < size;

			if (whole_after) {
				r->corrupt = true;
				r->corrupt_at = ofs;
			} else {
				r->torn_at = ofs;
			}
			return;
		}
		if (p[0] == REC_OFMSG) {
			ret = ofproto_journal_apply(ofp, p + 1, len - 1, now_ms, err);
		} else if (p[0] == REC_PORT && len > 5) {
			char name[16];

			snprintf(name, sizeof name, "%.*s", (int)(len - 5), (const char *)p + 5);
			port_remember(s, name, get_be32(p + 1));
		} else {
			snprintf(err, sizeof err, "a record of unknown kind %u", p[0]);
			ret = -EINVAL;
		}
		if (ret) {
			if (!r->refused++) {
				snprintf(r->first_refusal, sizeof r->first_refusal,
					 "%s at offset %zu: %s", r->path, ofs, err);
			}
		} else {
			r->applied++;
		}
		(*records)++;
		ofs += 8 + len;
	}
}

/* Renames the corrupt file 'path' to FILE.corrupt-SECONDS, its new name in
 * 'aside' (PATH_MAX + 32 bytes). */
static void
set_aside(const char *path, size_t at, char *aside)
{
	snprintf(aside, PATH_MAX + 32, "%s.corrupt-%lld", path, (long long)time(NULL));
	if (rename(path, aside)) {
		VLOG_ERR("ofstate", "%s: corrupt at offset %zu, and it could not be set aside: %s",
			 path, at, strerror(errno));
		aside[0] = '\0';
		return;
	}
	VLOG_ERR("ofstate",
		 "%s: corrupt at offset %zu: what follows was not restored; the file is kept "
		 "as %s",
		 path, at, aside);
}

static int compact(struct ofstate *s);

uint64_t
ofstate_load(struct ofstate *s, struct ofproto *ofp, uint64_t now_ms)
{
	struct replay snap = {.path = s->snap_path}, log = {.path = s->log_path};
	size_t snap_size, log_size;
	int err1, err2;
	uint8_t *sb = read_file(s->snap_path, &snap_size, &err1);
	uint8_t *lb = read_file(s->log_path, &log_size, &err2);
	bool rewrite;

	s->ofp = ofp;
	if (err1 || err2) {
		/* Never overwrite what could not be read: this run keeps nothing. */
		VLOG_ERR("ofstate",
			 "%s: cannot read its OpenFlow state: %s; the files are left as they are "
			 "and this run does not keep its OpenFlow state",
			 ofproto_name(ofp), strerror(-(err1 ? err1 : err2)));
		free(sb);
		free(lb);
		s->off = true;
		return 0;
	}
	if (snap_size >= sizeof MAGIC) {
		/* The state on disk is the whole table: not the default flow a
		 * new standalone bridge starts with (unless it is on disk too). */
		struct ofp_flow_mod all = {
			.command = OFPFC_DELETE, .table_id = OFPTT_ALL, .out_port = OFPP_ANY};
		char err[OFP_ERR_MAX];

		match_init_catchall(&all.match);
		ofp_insts_init(&all.insts);
		ofproto_flow_mod(ofp, &all, now_ms, err);
	}
	replay(s, ofp, sb, snap_size, now_ms, &snap, &s->snap_records);
	replay(s, ofp, lb, log_size, now_ms, &log, &s->log_records);
	s->snap_bytes = snap_size;
	s->log_bytes = log_size;
	free(sb);
	free(lb);
	if (snap.torn_at != SIZE_MAX) {
		/* A snapshot is synced before it is renamed into place. */
		snap.corrupt = true;
		snap.corrupt_at = snap.torn_at;
	}
	if (snap.corrupt) {
		set_aside(s->snap_path, snap.corrupt_at, s->aside[0]);
	}
	if (log.corrupt) {
		int fd;

		/* The open descriptor follows the file aside: a new log. */
		set_aside(s->log_path, log.corrupt_at, s->aside[1]);
		fd = open(s->log_path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
		if (fd >= 0) {
			close(s->log_fd);
			s->log_fd = fd;
		}
	}
	for (const struct replay *r = &snap; r; r = r == &snap ? &log : NULL) {
		if (r->refused) {
			VLOG_WARN("ofstate",
				  "%s: %" PRIu64 " records could not be applied; the first: %s",
				  ofproto_name(ofp), r->refused, r->first_refusal);
		}
	}
	if (log.torn_at != SIZE_MAX && !log.corrupt) {
		/* A write cut short by a crash: never acknowledged. */
		VLOG_INFO("ofstate", "%s: an unfinished record at offset %zu of %s was dropped",
			  ofproto_name(ofp), log.torn_at, s->log_path);
	}
	s->restored = snap.applied + log.applied;
	s->refused = snap.refused + log.refused;
	if (snap.applied + log.applied) {
		VLOG_INFO("ofstate",
			  "%s: restored %" PRIu64 " flow entries, groups and meters "
			  "(%" PRIu64 " records)",
			  ofproto_name(ofp), ofproto_state_size(ofp), snap.applied + log.applied);
	}
	/* Start from clean files whenever these are not: a new snapshot of
	 * what was restored, an empty log. */
	rewrite = snap.corrupt || log.corrupt || log.torn_at != SIZE_MAX || !snap_size ||
		  log_size < sizeof MAGIC;
	if (rewrite) {
		compact(s);
	}
	struct ofproto_journal j = journal_of(s);

	ofproto_set_journal(ofp, &j);
	return snap.applied + log.applied;
}

/* Writes the whole state as a new snapshot and empties the log. Called
 * with ofproto_lock() held (or before the bridge runs). */
static int
compact(struct ofstate *s)
{
	char tmp[PATH_MAX + 8];
	struct ofstate scratch;
	struct ofproto_journal j = journal_of(&scratch);
	int fd, ret = 0;
	uint64_t bytes = 0;

	/* The callbacks append to 'scratch.pending', which spills to the new
	 * file a megabyte at a time. */
	memset(&scratch, 0, sizeof scratch);
	obuf_init(&scratch.pending);
	snprintf(tmp, sizeof tmp, "%s.tmp", s->snap_path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (fd < 0) {
		ret = -errno;
		goto out;
	}
	scratch.spill_fd = fd;
	obuf_put(&scratch.pending, MAGIC, sizeof MAGIC);
	for (uint32_t i = 0; i < s->n_ports; i++) {
		rec_port(&scratch.pending, s->ports[i].name, s->ports[i].no);
		after_record(&scratch);
	}
	if (s->ofp) {
		ofproto_journal_state(s->ofp, &j);
	}
	ret = scratch.spill_err;
	if (!ret) {
		ret = vs_write_all(fd, scratch.pending.data, scratch.pending.size);
	}
	if (!ret && fsync(fd)) {
		ret = -errno;
	}
	bytes = (uint64_t)lseek(fd, 0, SEEK_END);
	close(fd);
	if (!ret && rename(tmp, s->snap_path)) {
		ret = -errno;
	}
	if (!ret) {
		ret = vs_fsync_parent(s->snap_path);
	}
	/* The log goes only once the snapshot that holds it is safe. */
	if (!ret && (ftruncate(s->log_fd, 0) || lseek(s->log_fd, 0, SEEK_SET) < 0 ||
		     vs_write_all(s->log_fd, (const uint8_t *)MAGIC, sizeof MAGIC) ||
		     fdatasync(s->log_fd))) {
		ret = -errno;
	}
	if (!ret) {
		s->snap_records = scratch.log_records;
		s->snap_bytes = bytes;
		s->log_records = 0;
		s->log_bytes = sizeof MAGIC;
		s->compactions++;
		s->unsynced = false;
	}
out:
	obuf_free(&scratch.pending);
	if (ret) {
		unlink(tmp);
		VLOG_ERR("ofstate", "%s: cannot write a snapshot: %s", s->snap_path,
			 strerror(-ret));
	}
	return ret;
}

/* Writes what is pending (the caller holds ofproto_lock() or runs alone). */
static int
write_pending(struct ofstate *s)
{
	int ret;

	if (!s->pending.size) {
		return 0;
	}
	if (lseek(s->log_fd, 0, SEEK_END) < 0) {
		return -errno;
	}
	ret = vs_write_all(s->log_fd, s->pending.data, s->pending.size);
	if (!ret) {
		s->log_bytes += s->pending.size;
		s->pending.size = 0;
		s->unsynced = true;
		if (s->pending.alloc > WRITE_CHUNK) {
			/* A big change (deleting a million flows writes a record
			 * each): give the buffer back, not keep it for ever. */
			obuf_free(&s->pending);
		}
	}
	return ret;
}

int
ofstate_flush(struct ofstate *s, uint64_t now_ms)
{
	int ret;

	if (s->off) {
		return 0;
	}
	ofproto_lock();
	ret = write_pending(s);
	if (!ret && s->log_records > COMPACT_MIN &&
	    s->log_records > 2 * (ofproto_state_size(s->ofp) + s->n_ports)) {
		ret = compact(s);
	}
	ofproto_unlock();
	if (!ret && s->unsynced && now_ms - s->last_sync_ms >= SYNC_MS) {
		if (fdatasync(s->log_fd)) {
			ret = -errno;
		}
		s->unsynced = false;
		s->last_sync_ms = now_ms;
	}
	if (ret && !s->failed) {
		s->failed = true;
		VLOG_ERR("ofstate", "%s: cannot write: %s (changes are kept in memory)",
			 s->log_path, strerror(-ret));
	} else if (!ret) {
		s->failed = false;
	}
	return ret;
}

int
ofstate_save(struct ofstate *s, char *err)
{
	int ret;

	ofproto_lock();
	ret = s->off ? 0 : write_pending(s);
	if (!ret) {
		ret = compact(s);
	}
	if (!ret && s->off) {
		struct ofproto_journal j = journal_of(s);

		/* The operator chose the running tables over the files that
		 * could not be read: they are kept from now on. */
		s->off = false;
		ofproto_set_journal(s->ofp, &j);
		VLOG_INFO("ofstate", "%s: the OpenFlow state is kept again", s->snap_path);
	}
	ofproto_unlock();
	if (ret) {
		snprintf(err, 256, "cannot write %.200s: %s", s->snap_path, strerror(-ret));
	}
	s->failed = ret != 0;
	return ret;
}

void
ofstate_forget_ports(struct ofstate *s, bool (*keep)(void *aux, const char *name), void *aux)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < s->n_ports; i++) {
		if (keep(aux, s->ports[i].name)) {
			s->ports[n++] = s->ports[i];
		}
	}
	s->n_ports = n;
}

void
ofstate_get_stats(const struct ofstate *s, struct ofstate_stats *st)
{
	st->dir = s->dir;
	st->snap_path = s->snap_path;
	st->log_path = s->log_path;
	st->off = s->off;
	st->write_failed = s->failed;
	st->snap_records = s->snap_records;
	st->log_records = s->log_records;
	st->snap_bytes = s->snap_bytes;
	st->log_bytes = s->log_bytes + s->pending.size;
	st->compactions = s->compactions;
	st->restored = s->restored;
	st->refused = s->refused;
	st->port_numbers = s->n_ports;
	st->set_aside[0] = s->aside[0];
	st->set_aside[1] = s->aside[1];
}

void
ofstate_close(struct ofstate *s, bool remove)
{
	if (!s) {
		return;
	}
	if (s->ofp) {
		ofproto_set_journal(s->ofp, NULL);
	}
	if (remove) {
		unlink(s->snap_path);
		unlink(s->log_path);
	} else if (!s->off && !write_pending(s)) {
		fdatasync(s->log_fd);
	}
	close(s->log_fd);
	obuf_free(&s->pending);
	free(s->ports);
	free(s);
}
