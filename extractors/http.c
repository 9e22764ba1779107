/* http — parallel GETs through libcurl's multi interface, see http.h. */
#include "extractors/http.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef struct http__xfer {
	struct http__xfer *next; /* in the pending queue, or in the active list */
	th_http *h;
	CURL *easy;
	struct curl_slist *hdrs;
	char *url, *accept, *etag; /* owned */
	void *req_ud;
	th_buf body;
	int too_big;
	int attempt;
	uint64_t not_before; /* ms, monotonic: when a retry may start */
	char errbuf[CURL_ERROR_SIZE];
} http__xfer;

struct th_http {
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

	*out = NULL;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return th_error_set(err, TH_ERR_NETWORK, "cannot initialise libcurl");
	if (!(h = calloc(1, sizeof(*h))) || !(h->multi = curl_multi_init())) {
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
	curl_multi_setopt(h->multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
	curl_multi_setopt(h->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)h->o.parallel);
	curl_multi_setopt(h->multi, CURLMOPT_MAXCONNECTS, (long)h->o.parallel * 2);
	*out = h;
	return 0;
}

static void http__xfer_free(http__xfer *x)
{
	if (!x)
		return;
	if (x->easy && x->h->nspare < (int)(sizeof(x->h->spare) / sizeof(x->h->spare[0])))
		x->h->spare[x->h->nspare++] = x->easy;
	else if (x->easy)
		curl_easy_cleanup(x->easy);
	curl_slist_free_all(x->hdrs);
	free(x->url);
	free(x->accept);
	free(x->etag);
	th_buf_release(&x->body);
	free(x);
}

void th_http_cancel(th_http *h)
{
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
		curl_multi_remove_handle(h->multi, x->easy);
		http__xfer_free(x);
	}
	h->active = 0;
}

void th_http_free(th_http *h)
{
	if (!h)
		return;
	th_http_cancel(h);
	curl_multi_cleanup(h->multi);
	while (h->nspare)
		curl_easy_cleanup(h->spare[--h->nspare]);
	free(h->cainfo);
	free(h->netrc);
	free(h);
	curl_global_cleanup();
}

static size_t http__write(char *data, size_t size, size_t n, void *ud)
{
	http__xfer *x = ud;
	size_t len = size * n;

	if (x->body.len + len > x->h->o.max_bytes) {
		x->too_big = 1;
		return 0; /* makes curl stop with CURLE_WRITE_ERROR */
	}
	if (th_buf_put(&x->body, data, len, NULL))
		return 0;
	return len;
}

int th_http_get(th_http *h, const char *url, const char *accept, const char *etag, void *req_ud, th_error *err)
{
	http__xfer *x = calloc(1, sizeof(*x));

	if (!x || !(x->url = strdup(url)) || (accept && !(x->accept = strdup(accept))) ||
	    (etag && !(x->etag = strdup(etag)))) {
		http__xfer_free(x);
		return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	}
	x->h = h;
	x->req_ud = req_ud;
	th_buf_init(&x->body, 0);
	if (h->tail)
		h->tail->next = x;
	else
		h->head = x;
	h->tail = x;
	return 0;
}

/* A fresh easy handle for one attempt (a retry starts from scratch). */
static int http__start(th_http *h, http__xfer *x, th_error *err)
{
	char line[1024];

	if (!x->easy && h->nspare)
		x->easy = h->spare[--h->nspare];
	if (x->easy)
		curl_easy_reset(x->easy);
	curl_slist_free_all(x->hdrs);
	x->hdrs = NULL;
	th_buf_clear(&x->body);
	x->too_big = 0;
	x->errbuf[0] = '\0';
	if (!x->easy && !(x->easy = curl_easy_init()))
		return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	if (x->accept) {
		snprintf(line, sizeof(line), "Accept: %s", x->accept);
		x->hdrs = curl_slist_append(x->hdrs, line);
	}
	if (x->etag) {
		snprintf(line, sizeof(line), "If-None-Match: %s", x->etag);
		x->hdrs = curl_slist_append(x->hdrs, line);
	}
	curl_easy_setopt(x->easy, CURLOPT_URL, x->url);
	curl_easy_setopt(x->easy, CURLOPT_PRIVATE, x);
	curl_easy_setopt(x->easy, CURLOPT_WRITEFUNCTION, http__write);
	curl_easy_setopt(x->easy, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(x->easy, CURLOPT_ERRORBUFFER, x->errbuf);
	curl_easy_setopt(x->easy, CURLOPT_HTTPHEADER, x->hdrs);
	curl_easy_setopt(x->easy, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(x->easy, CURLOPT_MAXREDIRS, 10L);
	curl_easy_setopt(x->easy, CURLOPT_PROTOCOLS_STR, h->o.allow_file ? "http,https,file" : "http,https");
	curl_easy_setopt(x->easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(x->easy, CURLOPT_TIMEOUT_MS, x->h->o.timeout_ms);
	curl_easy_setopt(x->easy, CURLOPT_CONNECTTIMEOUT_MS, x->h->o.connect_timeout_ms);
	curl_easy_setopt(x->easy, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(x->easy, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
	curl_easy_setopt(x->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(x->easy, CURLOPT_USERAGENT, "thoth/" THOTH_VERSION);
	if (h->netrc) {
		curl_easy_setopt(x->easy, CURLOPT_NETRC, (long)CURL_NETRC_OPTIONAL);
		curl_easy_setopt(x->easy, CURLOPT_NETRC_FILE, h->netrc);
	}
	if (h->cainfo)
		curl_easy_setopt(x->easy, CURLOPT_CAINFO, h->cainfo);
	if (curl_multi_add_handle(h->multi, x->easy) != CURLM_OK)
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

/* A finished attempt: retry it, or hand it to the callback. Returns the
 * callback's result (or an error starting a retry). */
static int http__finish(th_http *h, http__xfer *x, CURLcode cc, th_error *err)
{
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
	curl_multi_remove_handle(h->multi, x->easy);
	h->active--;
	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
	{
		long nc = 0;
		curl_easy_getinfo(x->easy, CURLINFO_NUM_CONNECTS, &nc);
		h->stats.connects += (uint64_t)nc;
	}
	if (x->too_big) {
		th_error_set(&fail, TH_ERR_LIMIT, "%s: the response is larger than the limit of %llu bytes (http_bytes)",
			     x->url, (unsigned long long)h->o.max_bytes);
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
			     "%s: %s%s", x->url, x->errbuf[0] ? x->errbuf : curl_easy_strerror(cc),
			     x->attempt ? " (after retries)" : "");
	} else if (status == 404 || status == 410) {
		th_error_set(&fail, TH_ERR_NOTFOUND, "%s: HTTP %ld: not found", x->url, status);
	} else if (status != 0 && status != 304 && (status < 200 || status > 299)) {
		th_error_set(&fail, TH_ERR_NETWORK, "%s: HTTP %ld%s", x->url, status, x->attempt ? " (after retries)" : "");
	}
	if (fail.code) {
		rc = h->fn(h->ud, x->req_ud, NULL, &fail);
	} else {
		th_http_resp r = { status, x->body.ptr, x->body.len, NULL, NULL, x->url };
		struct curl_header *eh;
		char *ct = NULL, *eff = NULL;
		curl_easy_getinfo(x->easy, CURLINFO_CONTENT_TYPE, &ct);
		curl_easy_getinfo(x->easy, CURLINFO_EFFECTIVE_URL, &eff);
		r.content_type = ct;
		if (eff)
			r.url = eff;
		if (status && curl_easy_header(x->easy, "ETag", 0, CURLH_HEADER, -1, &eh) == CURLHE_OK)
			r.etag = eh->value;
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
		if (curl_multi_perform(h->multi, &running) != CURLM_OK)
			return th_error_set(err, TH_ERR_NETWORK, "the transfer engine failed");
		while ((m = curl_multi_info_read(h->multi, &running))) {
			http__xfer *x = NULL;
			if (m->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&x);
			if ((rc = http__finish(h, x, m->data.result, err)))
				return rc;
		}
		if (h->active) {
			int timeout = 100;
			if (wait_until && wait_until > now && (int)(wait_until - now) < timeout)
				timeout = (int)(wait_until - now);
			curl_multi_poll(h->multi, NULL, 0, timeout, NULL);
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

int th_http_resolve(th_buf *out, const char *base, const char *ref, th_error *err)
{
	CURLU *u = curl_url();
	char *s = NULL;
	int rc = 0;

	th_buf_clear(out);
	if (!u)
		return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	if (curl_url_set(u, CURLUPART_URL, base, CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK)
		rc = th_error_set(err, TH_ERR_INVALID, "%s: not a usable URL", base);
	else if (curl_url_set(u, CURLUPART_URL, ref, CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK)
		rc = th_error_set(err, TH_ERR_INVALID, "%s: a link that does not resolve against %s", ref, base);
	else if (curl_url_get(u, CURLUPART_URL, &s, 0) != CURLUE_OK)
		rc = th_error_set(err, TH_ERR_INVALID, "%s: cannot resolve against %s", ref, base);
	else
		rc = th_buf_puts(out, s, err);
	curl_free(s);
	curl_url_cleanup(u);
	return rc;
}
