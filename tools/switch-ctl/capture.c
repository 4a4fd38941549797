/* SPDX-License-Identifier: Apache-2.0 */
/*
 * switch-ctl capture: asks vswitchd for a capture on a port, reads the
 * pcap stream from the socket it names, and writes it to a file or
 * standard output (-w), or prints a line per packet. Ends on Ctrl-C, when
 * the count is reached, or when whatever reads standard output goes away,
 * then reports how many packets came and how many the switch left out.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <pcap/pcap.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "switch_ctl.h"

static volatile sig_atomic_t interrupted;

static void
on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

static void
capture_usage(void)
{
	fatal(1, "usage: switch-ctl capture PORT [-w FILE|-] [-c COUNT] [-s SNAPLEN] [FILTER...]");
}

static long long
number(const char *opt, const char *v, long long max)
{
	char *end;
	long long n = strtoll(v, &end, 10);

	if (!*v || *end || n < 0 || n > max) {
		fatal(1, "capture %s: '%s' is not a number from 0 to %lld", opt, v, max);
	}
	return n;
}

static int
connect_stream(const char *path)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(a.sun_path, sizeof a.sun_path, "%s", path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a)) {
		fatal(1, "cannot connect to the capture at %s: %s", path, strerror(errno));
	}
	return fd;
}

/* Copies the stream as it is (a pcap file) to 'out'. */
static void
copy_stream(int fd, int out)
{
	char buf[65536];

	while (!interrupted) {
		ssize_t n = read(fd, buf, sizeof buf), done = 0;

		if (n <= 0) {
			return; /* the end, or Ctrl-C */
		}
		while (done < n) {
			ssize_t w = write(out, buf + done, (size_t)(n - done));

			if (w <= 0) {
				return; /* the reader went away (tcpdump exited) */
			}
			done += w;
		}
	}
}

static void
print_mac(const uint8_t *m)
{
	printf("%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

/* One line per packet: time, addresses, what it carries, length. */
static void
print_packets(int fd)
{
	char err[PCAP_ERRBUF_SIZE];
	FILE *f = fdopen(fd, "r");
	pcap_t *p = f ? pcap_fopen_offline(f, err) : NULL;
	struct pcap_pkthdr *h;
	const u_char *d;

	if (!p) {
		fatal(1, "the capture stream is not a pcap stream: %s", f ? err : strerror(errno));
	}
	while (!interrupted && pcap_next_ex(p, &h, &d) == 1) {
		struct tm tm;
		time_t t = h->ts.tv_sec;
		char ts[16], a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
		uint16_t type = h->caplen >= 14 ? (uint16_t)(d[12] << 8 | d[13]) : 0;
		uint32_t l3 = 14;

		localtime_r(&t, &tm);
		strftime(ts, sizeof ts, "%H:%M:%S", &tm);
		printf("%s.%06ld ", ts, (long)h->ts.tv_usec);
		if (h->caplen < 14) {
			printf("truncated frame, length %u\n", h->len);
			continue;
		}
		print_mac(d + 6);
		printf(" > ");
		print_mac(d);
		if (type == 0x8100 && h->caplen >= 18) {
			printf(", vlan %u", (d[14] << 8 | d[15]) & 0xfff);
			type = (uint16_t)(d[16] << 8 | d[17]);
			l3 = 18;
		}
		if (type == 0x0800 && h->caplen >= l3 + 20) {
			inet_ntop(AF_INET, d + l3 + 12, a, sizeof a);
			inet_ntop(AF_INET, d + l3 + 16, b, sizeof b);
			printf(", IPv4 %s > %s proto %u", a, b, d[l3 + 9]);
		} else if (type == 0x86dd && h->caplen >= l3 + 40) {
			inet_ntop(AF_INET6, d + l3 + 8, a, sizeof a);
			inet_ntop(AF_INET6, d + l3 + 24, b, sizeof b);
			printf(", IPv6 %s > %s next header %u", a, b, d[l3 + 6]);
		} else if (type == 0x0806) {
			printf(", ARP");
		} else {
			printf(", ethertype 0x%04x", type);
		}
		printf(", length %u\n", h->len);
		fflush(stdout);
	}
	pcap_close(p); /* closes 'f' and 'fd' */
}

int
ctl_capture(const struct opts *o, int argc, char **argv)
{
	const char *port = NULL, *file = NULL;
	long long count = 0, snaplen = 0;
	char filter[4096] = "";
	struct sigaction sa = {.sa_handler = on_signal};
	json_t *resp, *res, *stats;
	long long id;
	int fd, out = -1;

	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];

		if ((!strcmp(a, "-w") || !strcmp(a, "-c") || !strcmp(a, "-s")) && i + 1 >= argc) {
			fatal(1, "capture %s needs a value", a);
		}
		if (!strcmp(a, "-w")) {
			file = argv[++i];
		} else if (!strcmp(a, "-c")) {
			count = number(a, argv[++i], 1LL << 40);
		} else if (!strcmp(a, "-s")) {
			snaplen = number(a, argv[++i], 65535);
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			capture_usage();
		} else if (a[0] == '-' && a[1] && !strchr(a, ' ')) {
			fatal(1, "capture: unknown option %s", a);
		} else if (!port) {
			port = a;
		} else if (strlen(filter) + strlen(a) + 2 < sizeof filter) {
			if (*filter) {
				strcat(filter, " ");
			}
			strcat(filter, a);
		} else {
			fatal(1, "capture: the filter is too long");
		}
	}
	if (!port) {
		capture_usage();
	}
	if (file && strcmp(file, "-")) {
		out = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (out < 0) {
			fatal(1, "capture -w %s: %s", file, strerror(errno));
		}
	} else if (file) {
		out = STDOUT_FILENO;
	}
	resp = ctl_call(o, "capture.start",
			json_pack("{s:s, s:s, s:I, s:I}", "port", port, "filter", filter, "snaplen",
				  snaplen, "count", count));
	res = ctl_result(resp);
	id = json_integer_value(json_object_get(res, "id"));
	fd = connect_stream(json_string_value(json_object_get(res, "socket")));
	json_decref(resp);

	/* Ctrl-C ends the capture, not switch-ctl: the counts still print. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (out >= 0) {
		copy_stream(fd, out);
		close(fd);
		if (out != STDOUT_FILENO) {
			close(out);
		}
	} else {
		print_packets(fd);
	}

	resp = ctl_call(o, "capture.stop", json_pack("{s:I}", "id", id));
	stats = ctl_result(resp);
	fprintf(stderr, "switch-ctl: %lld packets captured on %s, %lld dropped by the switch%s%s\n",
		(long long)json_integer_value(json_object_get(stats, "written")), port,
		(long long)json_integer_value(json_object_get(stats, "dropped")),
		json_integer_value(json_object_get(stats, "dropped")) ? " (the reader was too slow)"
								      : "",
		json_is_true(json_object_get(stats, "port_gone")) ? "; the port was deleted" : "");
	json_decref(resp);
	return 0;
}
