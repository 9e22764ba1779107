#include "resolver/gate_security.h"

#include <string.h>

#include "core/version.h"
#include "extractors/osv.h"

/* The fixed versions above `v` an advisory names, joined with ", ". */
static int security__fixed(th_gate_report *r, const th_osv *adv, const th_version *v, th_buf *out, th_error *err)
{
	int rc = 0;

	th_buf_clear(out);
	for (size_t a = 0; a < adv->naffected; a++)
		for (size_t g = 0; g < adv->affected[a].nranges; g++) {
			const th_osv_range *rg = &adv->affected[a].ranges[g];
			for (size_t e = 0; e < rg->nevents && !rc; e++) {
				th_version fx;
				const char *t = rg->events[e].version;
				if (rg->events[e].kind != TH_OSV_FIXED || !t ||
				    th_version_parse(&fx, t, strlen(t), r->a, NULL) || th_version_cmp(&fx, v) <= 0 ||
				    strstr(out->ptr, t))
					continue;
				rc = th_buf_printf(out, err, "%s%s", out->len ? ", " : "", t);
			}
		}
	return rc;
}

static int security__package(th_gate_report *r, const th_gate_input *in, const char *name, const char *version,
                             const th_gate_locked *l, const th_gate_dist *d, th_error *err)
{
	th_osv *advs = NULL;
	size_t nadv = 0;
	th_version v;
	th_buf fixed = TH_BUF_INIT, key = TH_BUF_INIT, fix = TH_BUF_INIT;
	int rc;

	if (!version || th_version_parse(&v, version, strlen(version), r->a, NULL))
		return 0;
	if ((rc = th_kb_advisories_load(in->kb, name, &advs, &nadv, r->a, err)))
		return rc;
	for (size_t i = 0; i < nadv && !rc; i++) {
		const th_osv *adv = &advs[i];
		const char *alias = adv->naliases ? adv->aliases[0] : NULL;
		int hit = 0;
		size_t bad = 0;

		for (size_t a = 0; a < adv->naffected && !hit; a++)
			if ((rc = th_osv_affects(&adv->affected[a], &v, &hit, &bad, r->a)))
				return th_error_set(err, rc, "advisory %s: cannot be evaluated", adv->id);
		if (!hit)
			continue;
		th_buf_clear(&key);
		th_buf_clear(&fix);
		if ((rc = security__fixed(r, adv, &v, &fixed, err)) ||
		    (rc = th_buf_printf(&key, err, "%s\n%s", name, adv->id)))
			break;
		/* A pin the OS package already satisfies is not reinstalled by pip:
		 * what runs is the distribution's (maybe patched) build. */
		if (d && d->os_package && (!l || !strcmp(d->version, l->version))) {
			rc = th_gate_add(
			    r, err, "distribution-package-advisory", l ? l->file : NULL, l ? l->line : 0, l ? 1 : 0,
			    name, version, adv->id, key.ptr, NULL,
			    "%s %s (installed by the OS package %s) matches %s%s%s%s by its upstream version; "
			    "the distribution may have patched it",
			    name, version, d->os_package, adv->id, alias ? " (" : "", alias ? alias : "",
			    alias ? ")" : "");
			continue;
		}
		if (fixed.len && (rc = th_buf_printf(&fix, err, "upgrade %s to a fixed version: %s", name, fixed.ptr)))
			break;
		rc = th_gate_add(
		    r, err, "vulnerable-package", l ? l->file : NULL, l ? l->line : 0, l ? 1 : 0, name, version,
		    adv->id, key.ptr, fixed.len ? fix.ptr : "no fixed version is known: consider replacing it",
		    "%s %s%s has %s%s%s%s%s%s; fixed in %s", name, version, l ? "" : " (installed in the image)",
		    adv->id, alias ? " (" : "", alias ? alias : "", alias ? ")" : "", adv->summary ? ": " : "",
		    adv->summary ? adv->summary : "", fixed.len ? fixed.ptr : "no release yet");
	}
	th_buf_release(&fixed);
	th_buf_release(&key);
	th_buf_release(&fix);
	return rc;
}

int th_gate_security(th_gate_report *r, const th_gate_input *in, th_error *err)
{
	int rc;

	if (!in->kb)
		return 0;
	for (size_t i = 0; in->lock && i < in->lock->n; i++) {
		const th_gate_locked *l = &in->lock->pkgs[i];
		if (th_gate_applies(r, l->marker) &&
		    (rc = security__package(r, in, l->name, l->version, l, th_gate_find_dist(in, l->name), err)))
			return rc;
	}
	for (size_t i = 0; in->image && i < in->image->ndists; i++) {
		const th_gate_dist *d = &in->image->dists[i];
		if (!th_gate_find_locked(in, d->name) &&
		    (rc = security__package(r, in, d->name, d->version, NULL, d, err)))
			return rc;
	}
	return 0;
}
