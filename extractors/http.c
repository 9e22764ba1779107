/* http — parallel GETs through libcurl's multi interface, see http.h. */
#include "extractors/http.h"

#include <curl/curl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/dynlib.h"

/* libcurl's entry points, loaded when a client is made or a reference needs
 * the URL parser (core/dynlib): a process that never goes to HTTP never maps
 * libcurl and the TLS, Kerberos, LDAP, SSH, IDN... libraries behind it. The
 * member names drop the "curl_" prefix: curl.h defines type-checking macros
 * under some of the real names. */
typedef struct http__api {
	void *dl; /* owned handle */
	__typeof__(curl_easy_cleanup) *easy_cleanup;
	__typeof__(curl_easy_getinfo) *easy_getinfo;
	__typeof__(curl_easy_header) *easy_header;
	__typeof__(curl_easy_init) *easy_init;
	__typeof__(curl_easy_reset) *easy_reset;
	__typeof__(curl_easy_setopt) *easy_setopt;
	__typeof__(curl_easy_strerror) *easy_strerror;
	__typeof__(curl_global_cleanup) *global_cleanup;
	__typeof__(curl_global_init) *global_init;
	__typeof__(curl_multi_add_handle) *multi_add_handle;
	__typeof__(curl_multi_cleanup) *multi_cleanup;
	__typeof__(curl_multi_info_read) *multi_info_read;
	__typeof__(curl_multi_init) *multi_init;
	__typeof__(curl_multi_perform) *multi_perform;
	__typeof__(curl_multi_poll) *multi_poll;
	__typeof__(curl_multi_remove_handle) *multi_remove_handle;
	__typeof__(curl_multi_setopt) *multi_setopt;
	__typeof__(curl_slist_append) *slist_append;
	__typeof__(curl_slist_free_all) *slist_free_all;
} http__api;

#define HTTP__SYM(m, s) TH_DYNLIB_SYM(http__api, m, s)
static const th_dynlib_sym http__syms[] = {
	HTTP__SYM(easy_cleanup, "curl_easy_cleanup"),
	HTTP__SYM(easy_getinfo, "curl_easy_getinfo"),
	HTTP__SYM(easy_header, "curl_easy_header"),
	HTTP__SYM(easy_init, "curl_easy_init"),
	HTTP__SYM(easy_reset, "curl_easy_reset"),
	HTTP__SYM(easy_setopt, "curl_easy_setopt"),
	HTTP__SYM(easy_strerror, "curl_easy_strerror"),
	HTTP__SYM(global_cleanup, "curl_global_cleanup"),
	HTTP__SYM(global_init, "curl_global_init"),
	HTTP__SYM(multi_add_handle, "curl_multi_add_handle"),
	HTTP__SYM(multi_cleanup, "curl_multi_cleanup"),
	HTTP__SYM(multi_info_read, "curl_multi_info_read"),
	HTTP__SYM(multi_init, "curl_multi_init"),
	HTTP__SYM(multi_perform, "curl_multi_perform"),
	HTTP__SYM(multi_poll, "curl_multi_poll"),
	HTTP__SYM(multi_remove_handle, "curl_multi_remove_handle"),
	HTTP__SYM(multi_setopt, "curl_multi_setopt"),
	HTTP__SYM(slist_append, "curl_slist_append"),
	HTTP__SYM(slist_free_all, "curl_slist_free_all"),
};

static int http__load(http__api *out, const char *why, th_error *err)
{
	memset(out, 0, sizeof(*out));
	return th_dynlib_open(&out->dl, out, TH_SONAME_CURL, "libcurl", why, http__syms,
			      sizeof(http__syms) / sizeof(http__syms[0]), err);
}

/* The URL parser alone, for th_http_resolve, which has no client: loaded
 * per call, and five symbols cost a fifth of the whole table's lookups. */
typedef struct http__url_api {
	void *dl; /* owned handle */
	__typeof__(curl_url) *url;
	__typeof__(curl_url_set) *url_set;
	__typeof__(curl_url_get) *url_get;
	__typeof__(curl_url_cleanup) *url_cleanup;
	__typeof__(curl_free) *free;
} http__url_api;

static const th_dynlib_sym http__url_syms[] = {
	TH_DYNLIB_SYM(http__url_api, url, "curl_url"),
	TH_DYNLIB_SYM(http__url_api, url_set, "curl_url_set"),
	TH_DYNLIB_SYM(http__url_api, url_get, "curl_url_get"),
	TH_DYNLIB_SYM(http__url_api, url_cleanup, "curl_url_cleanup"),
	TH_DYNLIB_SYM(http__url_api, free, "curl_free"),
};

typedef struct http__xfer {
	struct http__xfer *next; /* in the pending queue, or in the active list */
	th_http *h;
	CURL *easy;
	struct curl_slist *hdrs;
	char *url, *accept, *etag, *range; /* owned */
	void *req_ud;
	th_buf body;
	int too_big;
	int not_ranged; /* a range request answered with the whole file */
	uint64_t max;   /* body cap: the client's, or the size of the range asked for */
	int attempt;
	uint64_t not_before; /* ms, monotonic: when a retry may start */
	char errbuf[CURL_ERROR_SIZE];
} http__xfer;

struct th_http {
	http__api c;             /* libcurl, loaded for this client */
	CURLM *multi;
	th_http_opts o;
	th_http_fn fn;
	void *ud;
	http__xfer *head, *tail; /* pending, in order */
	http__xfer *running;     /* in the multi handle */
	CURL *spare[64];         /* finished easy handles kept for reuse: cheaper than new ones */
	int nspare;
	int active;
	char *cainfo, *netrc;    /* owned, from the environment */
	th_http_stats stats;
};

static uint64_t http__now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static char *http__envdup(const char *a, const char *b)
{
	const char *v = getenv(a);
	if ((!v || !*v) && b)
		v = getenv(b);
	return v && *v ? strdup(v) : NULL;
}

int th_http_new(th_http **out, const th_http_opts *opts, th_http_fn fn, void *ud, th_error *err)
{
	static const th_http_opts defaults = TH_HTTP_OPTS_INIT;
	th_http *h;
	const http__api *C;
	int rc;

	*out = NULL;
	if (!(h = calloc(1, sizeof(*h))))
		return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	if ((rc = http__load(&h->c, "to fetch over HTTP", err))) {
		free(h);
		return rc;
	}
	C = &h->c;
	if (C->global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		th_dynlib_close(h->c.dl);
		free(h);
		return th_error_set(err, TH_ERR_NETWORK, "cannot initialise libcurl");
	}
	if (!(h->multi = C->multi_init())) {
		C->global_cleanup();
		th_dynlib_close(h->c.dl);
		free(h);
		return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	}
	h->o = opts ? *opts : defaults;
	if (h->o.parallel < 1)
		h->o.parallel = 1;
	h->fn = fn;
	h->ud = ud;
	h->cainfo = http__envdup("SSL_CERT_FILE", "CURL_CA_BUNDLE");
	h->netrc = http__envdup("NETRC", NULL);
	if (!h->netrc && getenv("HOME")) {
		/* Looking for ~/.netrc costs a failed open per request: only ask
		 * curl to read it when it is there. */
		size_t n = strlen(getenv("HOME")) + 8;
		if ((h->netrc = malloc(n)))
			snprintf(h->netrc, n, "%s/.netrc", getenv("HOME"));
	}
	if (h->netrc && access(h->netrc, R_OK) != 0) {
		free(h->netrc);
		h->netrc = NULL;
	}
	C->multi_setopt(h->multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
	C->multi_setopt(h->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)h->o.parallel);
	C->multi_setopt(h->multi, CURLMOPT_MAXCONNECTS, (long)h->o.parallel * 2);
	*out = h;
	return 0;
}

static void http__xfer_free(http__xfer *x)
{
	if (!x)
		return;
	if (x->h) { /* NULL when th_http_get failed while filling it: nothing of curl's yet */
		const http__api *C = &x->h->c;
		if (x->easy && x->h->nspare < (int)(sizeof(x->h->spare) / sizeof(x->h->spare[0])))
			x->h->spare[x->h->nspare++] = x->easy;
		else if (x->easy)
			C->easy_cleanup(x->easy);
		C->slist_free_all(x->hdrs);
	}
	free(x->url);
	free(x->accept);
	free(x->etag);
	free(x->range);
	th_buf_release(&x->body);
	free(x);
}

void th_http_cancel(th_http *h)
{
	const http__api *C = h ? &h->c : NULL;
	if (!h)
		return;
	while (h->head) {
		http__xfer *x = h->head;
		h->head = x->next;
		http__xfer_free(x);
	}
	h->tail = NULL;
	/* Transfers still in the multi handle (a run stopped by the callback). */
	while (h->running) {
		http__xfer *x = h->running;
		h->running = x->next;
		C->multi_remove_handle(h->multi, x->easy);
		http__xfer_free(x);
	}
	h->active = 0;
}

void th_http_free(th_http *h)
{
	const http__api *C = h ? &h->c : NULL;
	if (!h)
		return;
	th_http_cancel(h);
	C->multi_cleanup(h->multi);
	while (h->nspare)
		C->easy_cleanup(h->spare[--h->nspare]);
	free(h->cainfo);
	free(h->netrc);
	C->global_cleanup();
	th_dynlib_close(h->c.dl);
	free(h);
}

static size_t http__write(char *data, size_t size, size_t n, void *ud)
{
	http__xfer *x = ud;
	size_t len = size * n;

	if (x->range && !x->body.len) {
		long status = 0;
		x->h->c.easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
		if (status != 206) {
			x->not_ranged = 1;
			return 0; /* makes curl stop: the whole file is not wanted */
		}
	}
	if (x->body.len + len > x->max) {
		x->too_big = 1;
		return 0; /* makes curl stop with CURLE_WRITE_ERROR */
	}
	if (th_buf_put(&x->body, data, len, NULL))
		return 0;
	return len;
}

static int http__queue(th_http *h, const char *url, const char *accept, const char *etag, const char *range,
		       void *req_ud, th_error *err)
{
	http__xfer *x = calloc(1, sizeof(*x));

	if (!x || !(x->url = strdup(url)) || (accept && !(x->accept = strdup(accept))) ||
	    (etag && !(x->etag = strdup(etag))) || (range && !(x->range = strdup(range)))) {
		http__xfer_free(x);
		return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	}
	x->h = h;
	x->req_ud = req_ud;
	x->max = h->o.max_bytes;
	if (range) {
		/* A server sending more than the range asked for is cut off there. */
		char *end;
		unsigned long long a = strtoull(range[0] == '-' ? range + 1 : range, &end, 10), b;
		if (range[0] == '-' && !*end && a < x->max)
			x->max = a;
		else if (range[0] != '-' && *end == '-' && (b = strtoull(end + 1, &end, 10)) >= a && !*end &&
			 b - a + 1 < x->max)
			x->max = b - a + 1;
	}
	th_buf_init(&x->body, 0);
	if (h->tail)
		h->tail->next = x;
	else
		h->head = x;
	h->tail = x;
	return 0;
}

int th_http_get(th_http *h, const char *url, const char *accept, const char *etag, void *req_ud, th_error *err)
{
	return http__queue(h, url, accept, etag, NULL, req_ud, err);
}

int th_http_get_range(th_http *h, const char *url, const char *range, void *req_ud, th_error *err)
{
	return http__queue(h, url, NULL, NULL, range, req_ud, err);
}

/* A fresh easy handle for one attempt (a retry starts from scratch). */
static int http__start(th_http *h, http__xfer *x, th_error *err)
{
	const http__api *C = &h->c;
	char line[1024];

	if (!x->easy && h->nspare)
		x->easy = h->spare[--h->nspare];
	if (x->easy)
		C->easy_reset(x->easy);
	C->slist_free_all(x->hdrs);
	x->hdrs = NULL;
	th_buf_clear(&x->body);
	x->too_big = 0;
	x->not_ranged = 0;
	x->errbuf[0] = '\0';
	if (!x->easy && !(x->easy = C->easy_init()))
		return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	if (x->accept) {
		snprintf(line, sizeof(line), "Accept: %s", x->accept);
		x->hdrs = C->slist_append(x->hdrs, line);
	}
	if (x->etag) {
		snprintf(line, sizeof(line), "If-None-Match: %s", x->etag);
		x->hdrs = C->slist_append(x->hdrs, line);
	}
	C->easy_setopt(x->easy, CURLOPT_URL, x->url);
	C->easy_setopt(x->easy, CURLOPT_PRIVATE, x);
	C->easy_setopt(x->easy, CURLOPT_WRITEFUNCTION, http__write);
	C->easy_setopt(x->easy, CURLOPT_WRITEDATA, x);
	C->easy_setopt(x->easy, CURLOPT_ERRORBUFFER, x->errbuf);
	C->easy_setopt(x->easy, CURLOPT_HTTPHEADER, x->hdrs);
	C->easy_setopt(x->easy, CURLOPT_FOLLOWLOCATION, 1L);
	C->easy_setopt(x->easy, CURLOPT_MAXREDIRS, 10L);
	C->easy_setopt(x->easy, CURLOPT_PROTOCOLS_STR, h->o.allow_file ? "http,https,file" : "http,https");
	C->easy_setopt(x->easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	C->easy_setopt(x->easy, CURLOPT_TIMEOUT_MS, x->h->o.timeout_ms);
	C->easy_setopt(x->easy, CURLOPT_CONNECTTIMEOUT_MS, x->h->o.connect_timeout_ms);
	if (x->range)
		C->easy_setopt(x->easy, CURLOPT_RANGE, x->range);
	else
		C->easy_setopt(x->easy, CURLOPT_ACCEPT_ENCODING, "");
	C->easy_setopt(x->easy, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
	C->easy_setopt(x->easy, CURLOPT_NOSIGNAL, 1L);
	C->easy_setopt(x->easy, CURLOPT_USERAGENT, "thoth/" THOTH_VERSION);
	if (h->netrc) {
		C->easy_setopt(x->easy, CURLOPT_NETRC, (long)CURL_NETRC_OPTIONAL);
		C->easy_setopt(x->easy, CURLOPT_NETRC_FILE, h->netrc);
	}
	if (h->cainfo)
		C->easy_setopt(x->easy, CURLOPT_CAINFO, h->cainfo);
	if (C->multi_add_handle(h->multi, x->easy) != CURLM_OK)
		return th_error_set(err, TH_ERR_NETWORK, "%s: cannot start the transfer", x->url);
	x->next = h->running;
	h->running = x;
	h->active++;
	h->stats.requests++;
	return 0;
}

static int http__transient(CURLcode cc, long status)
{
	switch (cc) {
	case CURLE_OK:
		return status == 429 || status >= 500;
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_PARTIAL_FILE:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_SSL_CONNECT_ERROR:
		return 1;
	default:
		return 0;
	}
}

/* Digits of a Content-Range number: *v moves past them; false when there
 * are none or they overflow 64 bits. */
static bool http__range_num(const char **v, uint64_t *out)
{
	uint64_t n = 0;
	const char *p = *v;

	if (*p < '0' || *p > '9')
		return false;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (n > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
			return false;
		n = n * 10 + (uint64_t)(*p - '0');
	}
	*v = p;
	*out = n;
	return true;
}

void th_http_content_range(const char *v, uint64_t *start, uint64_t *total)
{
	uint64_t first, last, t = 0;

	*start = *total = 0;
	if (strncmp(v, "bytes ", 6))
		return;
	v += 6;
	if (!http__range_num(&v, &first) || *v++ != '-' || !http__range_num(&v, &last) || last < first || *v++ != '/')
		return;
	if (*v == '*')
		v++;
	else if (!http__range_num(&v, &t) || last >= t)
		return;
	if (*v)
		return;
	*start = first;
	*total = t;
}

/* A finished attempt: retry it, or hand it to the callback. Returns the
 * callback's result (or an error starting a retry). */
static int http__finish(th_http *h, http__xfer *x, CURLcode cc, th_error *err)
{
	const http__api *C = &h->c;
	long status = 0;
	th_error fail = TH_ERROR_INIT;
	int rc;

	for (http__xfer **pp = &h->running; *pp; pp = &(*pp)->next) {
		if (*pp == x) {
			*pp = x->next;
			break;
		}
	}
	x->next = NULL;
	C->multi_remove_handle(h->multi, x->easy);
	h->active--;
	C->easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
	{
		long nc = 0;
		C->easy_getinfo(x->easy, CURLINFO_NUM_CONNECTS, &nc);
		h->stats.connects += (uint64_t)nc;
	}
	if (x->not_ranged || (x->range && cc == CURLE_OK && status != 206 && status >= 200 && status <= 299)) {
		th_error_set(&fail, TH_ERR_UNSUPPORTED, "%s: the server ignores Range requests (HTTP %ld)", x->url, status);
	} else if (x->too_big) {
		th_error_set(&fail, TH_ERR_LIMIT, "%s: the response is larger than %s of %llu bytes", x->url,
			     x->max < h->o.max_bytes ? "the range asked for" : "the limit (http_bytes)",
			     (unsigned long long)x->max);
	} else if (http__transient(cc, status) && x->attempt < h->o.retries) {
		long delay = h->o.backoff_ms << x->attempt;
		x->attempt++;
		h->stats.retries++;
		x->not_before = http__now_ms() + (uint64_t)delay;
		x->next = h->head; /* ahead of the queue: it has waited already */
		h->head = x;
		if (!h->tail)
			h->tail = x;
		return 0;
	} else if (cc != CURLE_OK) {
		th_error_set(&fail, cc == CURLE_FILE_COULDNT_READ_FILE ? TH_ERR_NOTFOUND : TH_ERR_NETWORK,
			     "%s: %s%s", x->url, x->errbuf[0] ? x->errbuf : C->easy_strerror(cc),
			     x->attempt ? " (after retries)" : "");
	} else if (status == 404 || status == 410) {
		th_error_set(&fail, TH_ERR_NOTFOUND, "%s: HTTP %ld: not found", x->url, status);
	} else if (status != 0 && status != 304 && (status < 200 || status > 299)) {
		th_error_set(&fail, TH_ERR_NETWORK, "%s: HTTP %ld%s", x->url, status, x->attempt ? " (after retries)" : "");
	}
	if (fail.code) {
		rc = h->fn(h->ud, x->req_ud, NULL, &fail);
	} else {
		th_http_resp r = { status, x->body.ptr, x->body.len, NULL, NULL, x->url, 0, 0 };
		struct curl_header *eh;
		char *ct = NULL, *eff = NULL;
		C->easy_getinfo(x->easy, CURLINFO_CONTENT_TYPE, &ct);
		C->easy_getinfo(x->easy, CURLINFO_EFFECTIVE_URL, &eff);
		r.content_type = ct;
		if (eff)
			r.url = eff;
		if (status && C->easy_header(x->easy, "ETag", 0, CURLH_HEADER, -1, &eh) == CURLHE_OK)
			r.etag = eh->value;
		if (x->range && C->easy_header(x->easy, "Content-Range", 0, CURLH_HEADER, -1, &eh) == CURLHE_OK)
			th_http_content_range(eh->value, &r.range_start, &r.range_total);
		h->stats.bytes += x->body.len;
		if (status == 304)
			h->stats.not_modified++;
		rc = h->fn(h->ud, x->req_ud, &r, NULL);
	}
	http__xfer_free(x);
	if (rc && err && !err->code)
		th_error_set(err, rc, "stopped by the caller");
	return rc;
}

int th_http_run(th_http *h, th_error *err)
{
	const http__api *C = &h->c;
	int rc = 0;

	while (h->head || h->active) {
		uint64_t now = http__now_ms(), wait_until = 0;
		http__xfer **pp = &h->head, *prev = NULL;
		int running;
		CURLMsg *m;

		/* Start what may start: up to `parallel`, skipping retries still
		 * waiting for their backoff. */
		while (*pp && h->active < h->o.parallel) {
			http__xfer *x = *pp;
			if (x->not_before > now) {
				if (!wait_until || x->not_before < wait_until)
					wait_until = x->not_before;
				prev = x;
				pp = &x->next;
				continue;
			}
			*pp = x->next;
			if (h->tail == x)
				h->tail = prev;
			x->next = NULL;
			if ((rc = http__start(h, x, err))) {
				http__xfer_free(x);
				return rc;
			}
		}
		if (C->multi_perform(h->multi, &running) != CURLM_OK)
			return th_error_set(err, TH_ERR_NETWORK, "the transfer engine failed");
		while ((m = C->multi_info_read(h->multi, &running))) {
			http__xfer *x = NULL;
			if (m->msg != CURLMSG_DONE)
				continue;
			C->easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&x);
			if ((rc = http__finish(h, x, m->data.result, err)))
				return rc;
		}
		if (h->active) {
			int timeout = 100;
			if (wait_until && wait_until > now && (int)(wait_until - now) < timeout)
				timeout = (int)(wait_until - now);
			C->multi_poll(h->multi, NULL, 0, timeout, NULL);
		} else if (h->head && wait_until > now) {
			struct timespec ts = { 0, (long)((wait_until - now) * 1000000u) };
			nanosleep(&ts, NULL);
		}
	}
	return 0;
}

void th_http_stats_get(const th_http *h, th_http_stats *out)
{
	*out = h->stats;
}

/* The common cases of an index need no URL parser: a project under the
 * root ("requests/" against "http://host/simple/") and a file beside the
 * pages ("../../files/x-1.0.whl"). A reference made of leading "../" and
 * then segments of plain path characters (no '.' or '..' segment, no '%',
 * ':', '?', '#' or '\\'), against a base without query, fragment or dot
 * segments, resolves by RFC 3986 5.2 to the base's directory, minus one
 * segment per "../", plus the rest. Returns the length of the base kept, or
 * 0 to leave the case to the parser (which costs more than a request of a
 * re-import). */
static size_t http__simple_ref(const char *base, const char **ref)
{
	const char *r = *ref, *path, *end;
	size_t keep;

	if ((strncmp(base, "http://", 7) && strncmp(base, "https://", 8) && strncmp(base, "file://", 7)) ||
	    strpbrk(base, "?#\\") || strstr(base, "/.") || !(path = strchr(strstr(base, "://") + 3, '/')))
		return 0;
	end = strrchr(base, '/') + 1;
	while (!strncmp(r, "../", 3)) {
		if (end - path < 2)
			return 0; /* above the root: the parser's business */
		for (end--; end[-1] != '/'; end--)
			;
		r += 3;
	}
	for (const char *q = r, *seg = r;; q++) {
		unsigned char c = (unsigned char)*q;
		if (c == '/' || !c) {
			if (q == seg ? c == '/' || q == r : (seg[0] == '.' && (q - seg == 1 || (q - seg == 2 && seg[1] == '.'))))
				return 0; /* an empty, "." or ".." segment */
			if (!c)
				break;
			seg = q + 1;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || strchr("-._~!$&'()*+,;=@", c)))
			return 0;
	}
	keep = (size_t)(end - base);
	*ref = r;
	return keep;
}

int th_http_resolve(th_buf *out, const char *base, const char *ref, th_error *err)
{
	http__url_api api;
	const http__url_api *C;
	CURLU *u;
	char *s = NULL;
	int rc = 0;

	th_buf_clear(out);
	{
		const char *rest = ref;
		size_t keep = http__simple_ref(base, &rest);
		if (keep) {
			if ((rc = th_buf_put(out, base, keep, err)))
				return rc;
			return th_buf_puts(out, rest, err);
		}
	}
	/* A reference the shortcut above leaves to libcurl's parser (absolute
	 * links, odd paths): the parser is loaded for this call (about 1 us once
	 * the library is mapped, against the parse's own few). */
	memset(&api, 0, sizeof(api));
	if ((rc = th_dynlib_open(&api.dl, &api, TH_SONAME_CURL, "libcurl", "to resolve URLs", http__url_syms,
				 sizeof(http__url_syms) / sizeof(http__url_syms[0]), err)))
		return rc;
	C = &api;
	if (!(u = C->url())) {
		th_dynlib_close(api.dl);
		return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	}
	if (C->url_set(u, CURLUPART_URL, base, CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK)
		rc = th_error_set(err, TH_ERR_INVALID, "%s: not a usable URL", base);
	else if (C->url_set(u, CURLUPART_URL, ref, CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK)
		rc = th_error_set(err, TH_ERR_INVALID, "%s: a link that does not resolve against %s", ref, base);
	else if (C->url_get(u, CURLUPART_URL, &s, 0) != CURLUE_OK)
		rc = th_error_set(err, TH_ERR_INVALID, "%s: cannot resolve against %s", ref, base);
	else
		rc = th_buf_puts(out, s, err);
	C->free(s);
	C->url_cleanup(u);
	th_dynlib_close(api.dl);
	return rc;
}
