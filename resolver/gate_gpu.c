#include "resolver/gate_gpu.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/specifier.h"
#include "core/version.h"

/* What the target carries of one library (CUDA runtime or cuDNN). */
typedef struct gpu__have {
	const char *version; /* NULL: unknown version */
	const char *from;    /* where it comes from, for the message; NULL: absent */
} gpu__have;

/* nvidia-cuda-runtime-cu12 / nvidia-cudnn-cu11 in the lock or the image:
 * pip-installed frameworks bring their CUDA this way. */
static gpu__have gpu__wheel(const th_gate_input *in, const char *prefix)
{
	gpu__have h = {NULL, NULL};
	size_t pl = strlen(prefix);

	for (size_t i = 0; in->lock && i < in->lock->n && !h.from; i++)
		if (!strncmp(in->lock->pkgs[i].name, prefix, pl))
			h = (gpu__have){in->lock->pkgs[i].version, in->lock->pkgs[i].name};
	for (size_t i = 0; in->image && i < in->image->ndists && !h.from; i++)
		if (!strncmp(in->image->dists[i].name, prefix, pl))
			h = (gpu__have){in->image->dists[i].version, in->image->dists[i].name};
	return h;
}

static gpu__have gpu__carried(const th_gate_input *in, const char *kind, const char *wheel, const char *env_value)
{
	gpu__have h = gpu__wheel(in, wheel);

	for (size_t i = 0; !h.from && in->image && i < in->image->nlibs; i++)
		if (!strcmp(in->image->libs[i].kind, kind))
			h = (gpu__have){in->image->libs[i].version, in->image->libs[i].path};
	if (!h.from && !in->image && env_value)
		h = (gpu__have){env_value, "the target environment"};
	return h;
}

/* A local label naming a CUDA build: "+cu118" is CUDA 11.8 (two digits
 * for the major from 10 on), written as "==11.8.*". */
static const char *gpu__local_need(th_gate_report *r, const char *version)
{
	const char *p = version ? strstr(version, "+cu") : NULL;
	char buf[32];
	size_t n;

	if (!p)
		return NULL;
	p += 3;
	n = strspn(p, "0123456789");
	if (n < 2 || n > 3 || p[n])
		return NULL;
	snprintf(buf, sizeof(buf), "==%.*s.%c.*", (int)n - 1, p, p[n - 1]);
	return th_arena_strdup(r->a, buf);
}

/* Does a carried version meet the need? A version known only to its major
 * ("12") is compared on the major alone. */
static bool gpu__meets(th_gate_report *r, const char *need, const char *have)
{
	th_specset *s;
	th_version v;

	if (!have || th_specset_parse(&s, need, strlen(need), r->a, NULL) ||
	    th_version_parse(&v, have, strlen(have), r->a, NULL))
		return true;
	if (v.nrelease == 1 && th_specset_count(s) == 1) {
		const th_version *w = th_spec_version(th_specset_clause(s, 0));
		return !w || w->release[0].value == v.release[0].value;
	}
	return th_specset_contains(s, &v, 1);
}

static int gpu__add(th_gate_report *r, const char *id, const char *name, const char *version, const th_gate_locked *l,
                    const char *what, const char *rule, th_error *err, const char *msg)
{
	th_buf key = TH_BUF_INIT;
	int rc;

	if (!(rc = th_buf_printf(&key, err, "%s\n%s", name, what)))
		rc = th_gate_add(r, err, id, l ? l->file : NULL, l ? l->line : 0, l ? 1 : 0, name, version, rule,
		                 key.ptr, NULL, "%s", msg);
	th_buf_release(&key);
	return rc;
}

/* The alternatives the knowledge gives, as "CUDA ==11.8.* or CUDA ==12.1.* with cuDNN ==8.9.*". */
static void gpu__alternatives(th_buf *out, const th_know_hit *h, size_t n)
{
	for (size_t i = 0; i < n; i++)
		th_buf_printf(out, NULL, "%sCUDA %s%s%s", i ? " or " : "", h[i].cuda ? h[i].cuda : "(any)",
		              h[i].cudnn ? " with cuDNN " : "", h[i].cudnn ? h[i].cudnn : "");
}

static int gpu__package(th_gate_report *r, const th_gate_input *in, const char *name, const char *version,
                        const th_gate_locked *l, const gpu__have *cuda, const gpu__have *cudnn, th_error *err)
{
	th_know_hit hits[TH_KNOW_MAX_HITS];
	const char *local = gpu__local_need(r, version);
	size_t nl = strlen(name);
	bool gpu_only = local || (nl > 4 && !strcmp(name + nl - 4, "-gpu"));
	th_buf msg = TH_BUF_INIT;
	int n = 0, rc = 0;

	if (in->know && (n = th_know_cuda(in->know, name, version, hits, TH_KNOW_MAX_HITS, err)) < 0)
		return n;
	if ((size_t)n > TH_KNOW_MAX_HITS)
		n = TH_KNOW_MAX_HITS;
	if (!cuda->from) {
		/* CPU builds of frameworks run without CUDA: only a CUDA-only
		 * build missing its runtime is a finding, and only on an image
		 * (elsewhere the target's CUDA is unknown unless stated). */
		if (!gpu_only || !in->image || (!local && !n))
			return 0;
		th_buf_printf(&msg, NULL, "%s %s needs ", name, version);
		if (local)
			th_buf_printf(&msg, NULL, "CUDA %s", local);
		else
			gpu__alternatives(&msg, hits, (size_t)n);
		th_buf_puts(&msg,
		            "; the image has no CUDA runtime and no nvidia-cuda-runtime wheel is locked or installed",
		            NULL);
		rc = gpu__add(r, "cuda-missing", name, version, l, "CUDA", local ? "local version label" : hits[0].unit,
		              err, msg.ptr);
	} else if (local && !gpu__meets(r, local, cuda->version)) {
		th_buf_printf(&msg, NULL, "%s %s is built for CUDA %s; the target has CUDA %s (%s)", name, version,
		              local, cuda->version, cuda->from);
		rc = gpu__add(r, "cuda-mismatch", name, version, l, "CUDA", "local version label", err, msg.ptr);
	} else if (!local && n > 0 &&
	           (n = th_know_cuda_mismatch(in->know, name, version, cuda->version, cudnn->version, hits,
	                                      TH_KNOW_MAX_HITS, err)) > 0) {
		bool cuda_fits = false;
		if ((size_t)n > TH_KNOW_MAX_HITS)
			n = TH_KNOW_MAX_HITS;
		for (int i = 0; i < n && !cuda_fits; i++)
			cuda_fits = hits[i].cuda && cuda->version && gpu__meets(r, hits[i].cuda, cuda->version);
		th_buf_printf(&msg, NULL, "%s %s needs ", name, version);
		gpu__alternatives(&msg, hits, (size_t)n);
		th_buf_printf(&msg, NULL, "; the target has CUDA %s (%s)",
		              cuda->version ? cuda->version : "of unknown version", cuda->from);
		if (cuda_fits)
			th_buf_printf(&msg, NULL, " and cuDNN %s%s%s%s", cudnn->version ? cudnn->version : "none",
			              cudnn->from ? " (" : "", cudnn->from ? cudnn->from : "", cudnn->from ? ")" : "");
		rc = gpu__add(r, cuda_fits ? "cudnn-mismatch" : "cuda-mismatch", name, version, l,
		              cuda_fits ? "cuDNN" : "CUDA", hits[0].unit, err, msg.ptr);
	}
	if (n < 0)
		rc = n;
	th_buf_release(&msg);
	return rc;
}

int th_gate_gpu(th_gate_report *r, const th_gate_input *in, th_error *err)
{
	gpu__have cuda =
	    gpu__carried(in, "cuda-runtime", "nvidia-cuda-runtime-cu", in->env ? in->env->spec.cuda : NULL);
	gpu__have cudnn = gpu__carried(in, "cudnn", "nvidia-cudnn-cu", in->env ? in->env->spec.cudnn : NULL);
	int rc;

	for (size_t i = 0; in->lock && i < in->lock->n; i++) {
		const th_gate_locked *l = &in->lock->pkgs[i];
		if (l->version && th_gate_applies(r, l->marker) &&
		    (rc = gpu__package(r, in, l->name, l->version, l, &cuda, &cudnn, err)))
			return rc;
	}
	for (size_t i = 0; in->image && i < in->image->ndists; i++) {
		const th_gate_dist *d = &in->image->dists[i];
		if (!th_gate_find_locked(in, d->name) &&
		    (rc = gpu__package(r, in, d->name, d->version, NULL, &cuda, &cudnn, err)))
			return rc;
	}
	return 0;
}
