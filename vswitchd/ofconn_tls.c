/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TLS for OpenFlow connections (ssl: and pssl: targets), with OpenSSL: the
 * library Open vSwitch links, in Debian, and what operators already make
 * certificates with. Both sides prove who they are: the switch presents
 * its certificate and accepts only peers whose certificate chains to the
 * configured CA; TLS 1.2 and later only. The handshake runs inside the
 * first reads and writes, non-blocking, in the main loop; the hello
 * timeout bounds it. A failed handshake closes that connection only, and
 * its reason (OpenSSL's, and the certificate check's) goes to the log,
 * summed up per listener like the other closes.
 */
#include <errno.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "ofconn_priv.h"

/* The reason of the last OpenSSL failure on 'ssl', in 'buf'. */
static const char *
tls_reason(SSL *ssl, char *buf, size_t size)
{
	unsigned long e = ERR_peek_last_error();
	long verify = SSL_get_verify_result(ssl);

	if (verify != X509_V_OK) {
		snprintf(buf, size, "peer certificate: %s", X509_verify_cert_error_string(verify));
	} else if (e) {
		ERR_error_string_n(e, buf, size);
	} else {
		snprintf(buf, size, "%s",
			 errno ? strerror(errno) : "connection closed in handshake");
	}
	ERR_clear_error();
	return buf;
}

int
ofconns_set_tls(struct ofconns *c, const char *key, const char *cert, const char *ca, char *err,
		size_t err_size)
{
	SSL_CTX *ctx;
	char why[256];

	if (!key && !cert && !ca) {
		for (int b = 0; b < OFC_BRIDGES; b++) {
			for (size_t j = 0; c->brs[b].ofp && j < c->brs[b].n_targets; j++) {
				if (c->brs[b].targets[j].tls) {
					snprintf(
						err, err_size,
						"bridge %s uses TLS (%s): remove that target first",
						c->brs[b].name, c->brs[b].targets[j].spec);
					return -EBUSY;
				}
			}
		}
		SSL_CTX_free(c->tls);
		c->tls = NULL;
		return 0;
	}
	if (!key || !cert || !ca) {
		snprintf(err, err_size,
			 "TLS needs all three of ssl_private_key, ssl_certificate and ssl_ca_cert "
			 "(switch-ctl set-ssl KEY CERT CACERT)");
		return -EINVAL;
	}
	ERR_clear_error();
	ctx = SSL_CTX_new(TLS_method());
	if (!ctx) {
		snprintf(err, err_size, "TLS: %s", ERR_error_string(ERR_get_error(), why));
		return -ENOMEM;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1) {
		snprintf(err, err_size, "ssl_certificate %s: %s", cert,
			 ERR_error_string(ERR_get_error(), why));
	} else if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1) {
		unsigned long e = ERR_peek_last_error();

		if (ERR_GET_REASON(e) == X509_R_KEY_VALUES_MISMATCH) {
			snprintf(err, err_size,
				 "ssl_private_key %s does not match ssl_certificate %s", key, cert);
		} else {
			snprintf(err, err_size, "ssl_private_key %s: %s", key,
				 ERR_error_string(e, why));
		}
	} else if (SSL_CTX_check_private_key(ctx) != 1) {
		snprintf(err, err_size, "ssl_private_key %s does not match ssl_certificate %s", key,
			 cert);
	} else if (SSL_CTX_load_verify_locations(ctx, ca, NULL) != 1) {
		snprintf(err, err_size, "ssl_ca_cert %s: %s", ca,
			 ERR_error_string(ERR_get_error(), why));
	} else {
		ERR_clear_error();
		SSL_CTX_free(c->tls); /* connections keep a reference to theirs */
		c->tls = ctx;
		return 0;
	}
	ERR_clear_error();
	SSL_CTX_free(ctx);
	return -EINVAL;
}

bool
tls_start(struct ofconns *c, struct conn *k, bool server)
{
	if (!c->tls || !(k->ssl = SSL_new(c->tls)) || !SSL_set_fd(k->ssl, k->fd)) {
		SSL_free(k->ssl);
		k->ssl = NULL;
		return false;
	}
	if (server) {
		SSL_set_accept_state(k->ssl);
	} else {
		SSL_set_connect_state(k->ssl);
	}
	return true;
}

void
tls_free(struct conn *k)
{
	if (k->ssl) {
		SSL_shutdown(k->ssl); /* non-blocking: one try at a close_notify */
		SSL_free(k->ssl);
		k->ssl = NULL;
		ERR_clear_error();
	}
}

/* A failure of the connection's TLS: logged (an active one at once, a
 * listener's summed up), -1 returned. */
static ssize_t
tls_failed(struct ofconns *c, struct conn *k)
{
	char why[256];

	tls_reason(k->ssl, why, sizeof why);
	if (k->listener) {
		if (!k->hello_done) {
			note_tls_failure(c, k->listener, why);
		}
	} else {
		VLOG_WARN("ofconn", "%s: %s: TLS: %s", k->br->name, k->active->spec, why);
	}
	return -1;
}

ssize_t
tls_read(struct ofconns *c, struct conn *k, void *buf, size_t len)
{
	int n;

	ERR_clear_error();
	errno = 0;
	n = SSL_read(k->ssl, buf, (int)(len > 1 << 30 ? 1 << 30 : len));
	/* Whatever it did, a write waiting for the peer may go on now. */
	k->tls_write_wants_read = false;
	k->tls_read_wants_write = false;
	if (n > 0) {
		return n;
	}
	switch (SSL_get_error(k->ssl, n)) {
	case SSL_ERROR_WANT_READ:
		errno = EAGAIN;
		return -1;
	case SSL_ERROR_WANT_WRITE:
		k->tls_read_wants_write = true;
		errno = EAGAIN;
		return -1;
	case SSL_ERROR_ZERO_RETURN:
		return 0;
	default:
		tls_failed(c, k);
		errno = EPROTO;
		return -1;
	}
}

ssize_t
tls_write(struct ofconns *c, struct conn *k, const void *buf, size_t len)
{
	int n;

	ERR_clear_error();
	errno = 0;
	n = SSL_write(k->ssl, buf, (int)(len > 1 << 30 ? 1 << 30 : len));
	k->tls_write_wants_read = false;
	if (n > 0) {
		return n;
	}
	switch (SSL_get_error(k->ssl, n)) {
	case SSL_ERROR_WANT_READ:
		/* The handshake waits for the peer: poll for reading only
		 * (every connection does), or the loop would spin. */
		k->tls_write_wants_read = true;
		errno = EAGAIN;
		return -1;
	case SSL_ERROR_WANT_WRITE:
		errno = EAGAIN;
		return -1;
	default:
		tls_failed(c, k);
		errno = EPROTO;
		return -1;
	}
}

bool
tls_pending(const struct conn *k)
{
	return k->ssl && SSL_has_pending(k->ssl);
}

void
ofconns_tls_destroy(struct ofconns *c)
{
	SSL_CTX_free(c->tls);
	c->tls = NULL;
}
