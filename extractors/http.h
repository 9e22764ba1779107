/*
 * http — fetching index pages and metadata files over http(s):// and
 * file:// through libcurl (the only module that includes curl.h).
 *
 * One client runs many transfers at once (curl multi: HTTP/1.1 keep-alive
 * connections reused, HTTP/2 multiplexed where the server offers it). The
 * caller queues requests and runs the client; each finished request is handed
 * to the caller's callback, which may queue more (a project page leads to its
 * metadata files). Callbacks run one at a time on the caller's thread.
 *
 * Behaviour the importer relies on:
 * - a response body is bounded by limits.http_bytes (TH_ERR_LIMIT, no retry);
 * - transient failures (connection refused/reset, timeouts, truncated bodies,
 *   HTTP 429 and 5xx) are retried `retries` times with exponential backoff;
 *   the last failure is reported with the URL and what went wrong;
 * - a 304 reply to If-None-Match is a success with status 304 and no body;
 * - redirects are followed (at most 10) and the final URL is reported, since
 *   relative links on a page resolve against it;
 * - proxies come from the usual environment variables (http_proxy,
 *   https_proxy, no_proxy: libcurl reads them), a CA bundle from
 *   SSL_CERT_FILE or CURL_CA_BUNDLE, credentials from the URL or from
 *   ~/.netrc (or the file $NETRC names).
 * Nothing here knows what a page means.
 */
#ifndef TH_HTTP_H
#define TH_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/error.h"

typedef struct th_http th_http;

typedef struct th_http_opts {
	int parallel;           /* transfers at once */
	int retries;            /* extra attempts after a transient failure */
	long backoff_ms;        /* first retry delay; doubles each time */
	long timeout_ms;        /* whole transfer */
	long connect_timeout_ms;
	uint64_t max_bytes;     /* body cap (limits.http_bytes) */
	int allow_file;         /* file:// URLs too: only for an index that is itself local, so a
				 * remote page cannot make thoth read local files */
} th_http_opts;

#define TH_HTTP_OPTS_INIT { 32, 3, 200, 120000, 15000, (uint64_t)512 << 20, 0 }

typedef struct th_http_resp {
	long status;              /* 200, 304, ...; 0 for file:// */
	const char *body;         /* NUL-terminated; borrowed until the callback returns */
	size_t len;
	const char *content_type; /* NULL when the server sent none */
	const char *etag;         /* NULL when none */
	const char *url;          /* the final URL, after redirects */
	/* A range request's 206 reply (th_http_get_range): where the body
	 * starts in the whole file, and the whole file's size (from
	 * Content-Range; 0 when the server did not say). */
	uint64_t range_start, range_total;
} th_http_resp;

/* Called once per queued request: resp on success (any 2xx or 304), or
 * failure set (code TH_ERR_NETWORK / TH_ERR_LIMIT, message naming the URL).
 * A non-zero return stops th_http_run, which returns that value. */
typedef int (*th_http_fn)(void *ud, void *req_ud, const th_http_resp *resp, const th_error *failure);

int th_http_new(th_http **out, const th_http_opts *opts, th_http_fn fn, void *ud, th_error *err);
void th_http_free(th_http *h);

/* Queues a GET. accept and etag (sent as If-None-Match) may be NULL; the
 * strings are copied. req_ud is handed back to the callback. */
int th_http_get(th_http *h, const char *url, const char *accept, const char *etag, void *req_ud, th_error *err);

/* Queues a GET of a byte range: `range` as in a Range header without
 * "bytes=" ("-65557": the last bytes; "100-199": inclusive offsets). Only a
 * 206 reply is a success; a server that answers 200 (it ignores Range) is
 * cut off after its first bytes and reported as a failure with code
 * TH_ERR_UNSUPPORTED, so a whole file is never downloaded by accident. No
 * content coding is asked for (offsets are offsets of the file itself). */
int th_http_get_range(th_http *h, const char *url, const char *range, void *req_ud, th_error *err);

/* Runs until no request is queued or in flight. */
int th_http_run(th_http *h, th_error *err);

/* Drops every request still queued or in flight (after a run the callback
 * stopped), keeping the open connections, so the client can be used again
 * without handing stale req_ud pointers to the callback. */
void th_http_cancel(th_http *h);

/* Counters for reports and benchmarks. */
typedef struct th_http_stats {
	uint64_t requests, retries, bytes, not_modified, connects;
} th_http_stats;
void th_http_stats_get(const th_http *h, th_http_stats *out);

/* Resolves a possibly relative reference against a base URL (RFC 3986). */
int th_http_resolve(th_buf *out, const char *base, const char *ref, th_error *err);

/* A Content-Range value "bytes FIRST-LAST/TOTAL" (RFC 9110 14.4; TOTAL may
 * be "*"): *start = FIRST and *total = TOTAL (0 when "*"); both 0 when the
 * value is anything else (malformed, LAST before FIRST or not below TOTAL,
 * numbers past 64 bits, "bytes * /TOTAL" of a 416). */
void th_http_content_range(const char *v, uint64_t *start, uint64_t *total);

#endif
