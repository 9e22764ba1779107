#include "resolver/gate_install.h"

#include <stdio.h>
#include <string.h>

#include "core/specifier.h"
#include "core/version.h"
#include "core/wheelname.h"

/* One candidate file of a locked version: its tags (or none: an sdist). */
typedef struct install__file {
	const char *name;
	th_tag *tags;
	size_t ntags;
} install__file;

/* Whether the target Python is inside a Requires-Python text. Text that is
 * not a specifier set is not judged (pip ignores it too, with a warning). */
static bool install__python_ok(th_gate_report *r, const char *rp)
{
	th_specset *s;

	if (!rp || !r->env || th_specset_parse(&s, rp, strlen(rp), r->a, NULL))
		return true;
	return th_specset_contains(s, &r->env->pyver, 1);
}

static bool install__same_version(th_gate_report *r, const char *a, const char *b)
{
	th_version x, y;

	if (!a || !b)
		return false;
	if (th_version_parse(&x, a, strlen(a), r->a, NULL) || th_version_parse(&y, b, strlen(b), r->a, NULL))
		return !strcmp(a, b);
	return th_version_cmp(&x, &y) == 0;
}

/* "cp311-cp311-manylinux_2_17_x86_64 py3-none-any" (the knowledge base's
 * form) into tags. */
static int install__kb_tags(th_gate_report *r, const char *text, install__file *f, th_error *err)
{
	size_t n = 1, k = 0;
	const char *p = text;

	for (const char *q = text; *q; q++)
		n += *q == ' ';
	if (!(f->tags = th_arena_zalloc(r->a, n * sizeof(*f->tags))))
		return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	while (*p && k < n) {
		size_t len = strcspn(p, " ");
		char *t = th_arena_strndup(r->a, p, len), *d1, *d2;
		if (!t)
			return th_error_set(err, TH_ERR_NOMEM, "out of memory");
		if ((d1 = strchr(t, '-')) && (d2 = strchr(d1 + 1, '-'))) {
			*d1 = *d2 = '\0';
			f->tags[k++] = (th_tag){t, d1 + 1, d2 + 1};
		}
		p += len;
		while (*p == ' ')
			p++;
	}
	f->ntags = k;
	return 0;
}

/* The glibc a manylinux platform tag asks for (0 when not one). */
static void install__glibc_of(const char *plat, int *major, int *minor)
{
	*major = *minor = 0;
	if (sscanf(plat, "manylinux_%d_%d_", major, minor) == 2)
		return;
	if (!strncmp(plat, "manylinux2014_", 14))
		*major = 2, *minor = 17;
	else if (!strncmp(plat, "manylinux2010_", 14))
		*major = 2, *minor = 12;
	else if (!strncmp(plat, "manylinux1_", 11))
		*major = 2, *minor = 5;
}

/* Why none of the wheels fits, in a few words, for the message. */
static void install__why(th_gate_report *r, const install__file *files, size_t n, th_buf *out)
{
	int best_major = 0, best_minor = 0, tmaj, tmin;
	const char *arch = r->env->machine;
	bool arch_seen = false;

	for (size_t i = 0; i < n; i++)
		for (size_t t = 0; t < files[i].ntags; t++) {
			const char *plat = files[i].tags[t].platform;
			int ma, mi;
			size_t pl = strlen(plat), al = strlen(arch);
			if (!strcmp(plat, "any") || (pl > al && !strcmp(plat + pl - al, arch)))
				arch_seen = true;
			install__glibc_of(plat, &ma, &mi);
			if (ma && pl > al && !strcmp(plat + pl - al, arch) &&
			    (!best_major || ma < best_major || (ma == best_major && mi < best_minor)))
				best_major = ma, best_minor = mi;
		}
	th_buf_clear(out);
	if (!r->platform || sscanf(r->platform, "%*[^-]-manylinux_%d_%d", &tmaj, &tmin) != 2)
		tmaj = tmin = 0;
	if (!arch_seen)
		th_buf_printf(out, NULL, "no wheel for %s", arch);
	else if (best_major && tmaj && (best_major > tmaj || (best_major == tmaj && best_minor > tmin)))
		th_buf_printf(out, NULL, "its %s wheels need glibc %d.%d, the target has %d.%d", arch, best_major,
		              best_minor, tmaj, tmin);
	else
		th_buf_printf(out, NULL, "no wheel for CPython %s on %s", r->env->python_short, r->platform);
	th_buf_puts(out, " (", NULL);
	for (size_t i = 0; i < n && i < 3; i++)
		th_buf_printf(out, NULL, "%s%s", i ? ", " : "", files[i].name);
	th_buf_puts(out, n > 3 ? ", ...)" : ")", NULL);
}

static int install__locked(th_gate_report *r, const th_gate_input *in, const th_gate_locked *l, th_error *err)
{
	const th_gate_dist *d = th_gate_find_dist(in, l->name);
	const th_kb_pversion *kv = NULL;
	install__file *files = NULL;
	const char *rp = l->requires_python;
	size_t nfiles = 0;
	bool sdist = l->has_sdist, fits = false;
	th_buf why = TH_BUF_INIT;
	const th_tagset *tags = r->env ? r->env->tagset : NULL;
	int rc;

	if (!th_gate_applies(r, l->marker) || !l->version)
		return 0;
	if ((rc = th_gate_kb_version(r, in, l->name, l->version, &kv, err)))
		return rc;
	for (size_t i = 0; !rp && kv && i < kv->nfiles; i++)
		rp = kv->files[i].md_requires_python ? kv->files[i].md_requires_python : kv->files[i].f.requires_python;
	if (!install__python_ok(r, rp) &&
	    (rc = th_gate_add(r, err, "python-unsupported", l->file, l->line, 1, l->name, l->version, rp, l->name, NULL,
	                      "%s %s requires Python %s; the target (%s) has %s", l->name, l->version, rp,
	                      in->target_source ? in->target_source : "target", r->python)))
		return rc;
	if (in->know && r->python && install__python_ok(r, rp)) {
		th_know_hit hit;
		int n = th_know_python_unsupported(in->know, l->name, l->version, r->python, &hit, 1, err);
		th_buf key = TH_BUF_INIT;
		if (n < 0)
			return n;
		if (n > 0 && !(rc = th_buf_printf(&key, err, "%s\nknowledge", l->name)))
			rc = th_gate_add(r, err, "python-unsupported", l->file, l->line, 1, l->name, l->version,
			                 hit.unit, key.ptr, NULL,
			                 "%s %s supports Python %s only (%s); the target has %s", l->name, l->version,
			                 hit.python ? hit.python : "other versions",
			                 hit.message ? hit.message : hit.unit, r->python);
		th_buf_release(&key);
		if (rc)
			return rc;
	}
	if (d && d->os_package && !install__same_version(r, d->version, l->version) &&
	    (rc = th_gate_add(r, err, "os-package-replaced", l->file, l->line, 1, l->name, l->version, d->os_package,
	                      l->name, NULL,
	                      "the lock pins %s %s but the image's OS package %s installed %s (in %s): pip would "
	                      "overwrite files the package manager owns",
	                      l->name, l->version, d->os_package, d->version, d->location ? d->location : "the image")))
		return rc;
	if ((d && install__same_version(r, d->version, l->version)) || !tags)
		return 0;
	/* The candidate files: the lock's own list when it has one (an
	 * installer picks among those only), else the knowledge base's. */
	if (l->files_known) {
		if (l->nwheels && !(files = th_arena_zalloc(r->a, l->nwheels * sizeof(*files))))
			return th_error_set(err, TH_ERR_NOMEM, "out of memory");
		for (size_t i = 0; i < l->nwheels; i++) {
			th_wheelname w;
			if (th_wheelname_parse(&w, l->wheels[i], strlen(l->wheels[i]), r->a, NULL))
				continue;
			files[nfiles++] = (install__file){l->wheels[i], w.tags, w.ntags};
		}
	} else if (kv) {
		if (kv->nfiles && !(files = th_arena_zalloc(r->a, kv->nfiles * sizeof(*files))))
			return th_error_set(err, TH_ERR_NOMEM, "out of memory");
		for (size_t i = 0; i < kv->nfiles; i++) {
			const th_kb_file *f = &kv->files[i].f;
			if (f->yanked)
				continue;
			if (!f->tags) {
				sdist = true;
				continue;
			}
			files[nfiles].name = f->filename;
			if ((rc = install__kb_tags(r, f->tags, &files[nfiles], err)))
				return rc;
			nfiles++;
		}
	} else
		return th_gate_add(
		    r, err, "package-unverified", l->file, l->line, 1, l->name, l->version, NULL, l->name, NULL,
		    "%s %s: no file list in the lock or the knowledge base; its wheel tags were not checked", l->name,
		    l->version);
	for (size_t i = 0; i < nfiles && !fits; i++)
		fits = th_tags_rank(tags, files[i].tags, files[i].ntags) >= 0;
	if (fits)
		return 0;
	if (!nfiles && !sdist)
		return th_gate_add(r, err, "package-unverified", l->file, l->line, 1, l->name, l->version, NULL,
		                   l->name, NULL, "%s %s: the lock and the knowledge base list no file of it", l->name,
		                   l->version);
	install__why(r, files, nfiles, &why);
	if (sdist)
		rc = th_gate_add(r, err, "sdist-only", l->file, l->line, 1, l->name, l->version, r->platform, l->name,
		                 NULL, "%s %s: %s; pip would build its sdist on the image", l->name, l->version,
		                 nfiles ? why.ptr : "it has no wheels");
	else
		rc = th_gate_add(r, err, "no-compatible-wheel", l->file, l->line, 1, l->name, l->version, r->platform,
		                 l->name, NULL, "%s %s cannot install on %s: %s", l->name, l->version, r->platform,
		                 why.ptr);
	th_buf_release(&why);
	return rc;
}

int th_gate_install(th_gate_report *r, const th_gate_input *in, th_error *err)
{
	const th_gate_lock *lock = in->lock;
	int rc;

	if (in->image && !in->image->python &&
	    (rc = th_gate_add(r, err, "no-python", NULL, 0, 0, NULL, NULL, NULL, "image", NULL,
	                      "the image %s has no Python interpreter", in->image->ref ? in->image->ref : "")))
		return rc;
	if (!lock)
		return 0;
	if (!install__python_ok(r, lock->requires_python) &&
	    (rc = th_gate_add(r, err, "python-unsupported", lock->file, 1, 1, NULL, NULL, lock->requires_python, "lock",
	                      NULL, "the lock is for Python %s; the target (%s) has %s", lock->requires_python,
	                      in->target_source ? in->target_source : "target", r->python)))
		return rc;
	for (size_t i = 0; i < lock->n; i++)
		if ((rc = install__locked(r, in, &lock->pkgs[i], err)))
			return rc;
	return 0;
}
