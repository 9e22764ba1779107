#include "resolver/gate_image.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/imgscan.h"

int th_gate_image_load(th_gate_image *out, th_store *s, const char *ref, const th_limits *lim, th_arena *a,
                       th_error *err)
{
	th_imgscan_opts o = TH_IMGSCAN_OPTS_INIT;
	th_imgfacts f;
	const th_image_interp *py;
	th_gate_dist *dists = NULL;
	th_gate_lib *libs = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	o.lim = lim;
	o.reuse = true;
	if ((rc = th_imgscan_facts(s, ref, &o, &f, a, err)))
		return rc;
	if (!(out->ref = th_arena_strdup(a, ref)))
		return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	out->arch = f.info.arch;
	out->os_id = f.os ? f.os->id : NULL;
	out->os_version = f.os ? f.os->version_id : NULL;
	if ((py = th_imgfacts_python(&f))) {
		out->python = py->version;
		out->python_path = py->path;
	}
	out->libc = f.libc_family;
	out->libc_version = f.libc_version;
	if (f.libc_version && sscanf(f.libc_version, "%d.%d", &out->libc_major, &out->libc_minor) != 2)
		out->libc_major = out->libc_minor = 0;
	if ((f.ndists && !(dists = th_arena_zalloc(a, f.ndists * sizeof(*dists)))) ||
	    (f.nlibs && !(libs = th_arena_zalloc(a, f.nlibs * sizeof(*libs)))))
		return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	for (size_t i = 0; i < f.ndists; i++) {
		const th_image_dist *d = &f.dists[i];
		if (!d->d.normalized || !d->d.version)
			continue;
		dists[out->ndists++] = (th_gate_dist){
		    d->d.normalized,     d->d.version, d->d.requires_python, (const char *const *)d->d.requires_dist,
		    d->d.nrequires_dist, d->top_level, d->ntop_level,        d->installer,
		    d->os_package,       d->location};
	}
	/* Only the libraries a check looks at. */
	for (size_t i = 0; i < f.nlibs; i++)
		if (strcmp(f.libs[i].kind, "other") && strcmp(f.libs[i].kind, "python"))
			libs[out->nlibs++] = (th_gate_lib){f.libs[i].kind, f.libs[i].version, f.libs[i].path};
	out->dists = dists;
	out->libs = libs;
	return 0;
}

void th_gate_image_spec(th_env_spec *out, const th_gate_image *im, const char *source)
{
	const char *arch = im->arch;

	memset(out, 0, sizeof(*out));
	out->source = source;
	out->python = im->python;
	if (arch && !strcmp(arch, "amd64"))
		arch = "x86_64";
	else if (arch && !strcmp(arch, "arm64"))
		arch = "aarch64";
	out->arch = arch;
	out->libc = im->libc;
	out->libc_version = im->libc_version;
	out->os_name = im->os_id;
	out->os_version = im->os_version;
	for (size_t i = 0; i < im->nlibs; i++) {
		if (!strcmp(im->libs[i].kind, "cuda-runtime") && !out->cuda)
			out->cuda = im->libs[i].version;
		if (!strcmp(im->libs[i].kind, "cudnn") && !out->cudnn)
			out->cudnn = im->libs[i].version;
	}
}
