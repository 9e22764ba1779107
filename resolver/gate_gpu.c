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
	gpu__have h = { NULL, NULL };
	size_t pl = strlen(prefix);

	for (size_t i = 0; in->lock && i < in->lock->n && !h.from; i++)
		if (!strncmp(in->lock->pkgs[i].name, prefix, pl))
			h = (gpu__have){ in->lock->pkgs[i].version, in->lock->pkgs[i].name };
	for (size_t i = 0; in->image && i < in->image->ndists && !h.from; i++)
		if (!strncmp(in->image->dists[i].name, prefix, pl))
			h = (gpu__have){ in->image->dists[i].version, in->image->dists[i].name };
	return h;
}

static gpu__have gpu__carried(const th_gate_input *in, const char *kind, const char *wheel, const char *env_value)
{
	gpu__have h = gpu__wheel(in, wheel);

	for (size_t i = 0; !h.from && in->image && i < in->image->nlibs; i++)
		if (!strcmp(in->image->libs[i].kind, kind))
			h = (gpu__have){ in->image->libs[i].version, in->image->libs[i].path };
	if (!h.from && !in->image && env_value)
		h = (gpu__have){ env_value, "the target environment" };
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

static int gpu__judge(th_gate_report *r, const th_gate_input *in, const char *name, const char *version,
		      const th_gate_locked *l, const char *need, const char *what, const gpu__have *have,
		      const char *rule, th_error *err)
{
	const char *file = l ? l->file : NULL;
	uint32_t line = l ? l->line : 0;
	bool cuda = !strcmp(what, "CUDA");
	th_buf key = TH_BUF_INIT;
	int rc;

	if ((rc = th_buf_printf(&key, err, "%s\n%s", name, what)))
		return rc;
	if (!have->from) {
		/* Without an image the target's CUDA is unknown unless stated. */
		if (in->image && cuda)
			rc = th_gate_add(r, err, "cuda-missing", file, line, 1, name, version, rule, key.ptr, NULL,
					 "%s %s needs CUDA %s; the image has no CUDA runtime and no nvidia-cuda-runtime "
					 "wheel is locked or installed",
					 name, version, need);
	} else if (!gpu__meets(r, need, have->version))
		rc = th_gate_add(r, err, cuda ? "cuda-mismatch" : "cudnn-mismatch", file, line, 1, name, version, rule,
				 key.ptr, NULL, "%s %s needs %s %s; the target has %s %s (%s)", name, version, what, need,
				 what, have->version, have->from);
	th_buf_release(&key);
	return rc;
}

static int gpu__package(th_gate_report *r, const th_gate_input *in, const char *name, const char *version,
			const th_gate_locked *l, const gpu__have *cuda, const gpu__have *cudnn, th_error *err)
{
	th_gate_cuda_need need = { NULL, NULL, NULL };
	int rc;

	if (in->know && in->know->cuda_need && (rc = in->know->cuda_need(in->know->ud, name, version, &need, err)) < 0)
		return rc;
	if (!need.cuda && (need.cuda = gpu__local_need(r, version)))
		need.rule = "local version label";
	if (need.cuda && (rc = gpu__judge(r, in, name, version, l, need.cuda, "CUDA", cuda, need.rule, err)))
		return rc;
	if (need.cudnn && (rc = gpu__judge(r, in, name, version, l, need.cudnn, "cuDNN", cudnn, need.rule, err)))
		return rc;
	return 0;
}

int th_gate_gpu(th_gate_report *r, const th_gate_input *in, th_error *err)
{
	gpu__have cuda = gpu__carried(in, "cuda-runtime", "nvidia-cuda-runtime-cu", in->env ? in->env->spec.cuda : NULL);
	gpu__have cudnn = gpu__carried(in, "cudnn", "nvidia-cudnn-cu", in->env ? in->env->spec.cudnn : NULL);
	int rc;

	for (size_t i = 0; in->lock && i < in->lock->n; i++) {
		const th_gate_locked *l = &in->lock->pkgs[i];
		if (l->version && th_gate_applies(r, l->marker) && (rc = gpu__package(r, in, l->name, l->version, l, &cuda, &cudnn, err)))
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
