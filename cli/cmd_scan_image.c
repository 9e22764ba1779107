/* thoth scan image */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyzer/imgscan.h"
#include "core/arena.h"
#include "core/json.h"

/* ---- scan image ---- */

static void img_jw_strs(th_jw *w, const char *key, const char *const *v, size_t n)
{
	th_jw_key(w, key);
	th_jw_arr_begin(w);
	for (size_t i = 0; i < n; i++)
		th_jw_str(w, v[i]);
	th_jw_arr_end(w);
}

static void img_jw_kv(th_jw *w, const char *key, const char *v)
{
	th_jw_key(w, key);
	th_jw_str(w, v);
}

static int img_json(const th_imgfacts *r, th_buf *out, th_error *err)
{
	th_jw w;
	const th_image_lib *libc = r->libc;

	th_jw_init(&w, out, 1, err);
	th_jw_obj_begin(&w);
	img_jw_kv(&w, "schema", "thoth.scan.image/1");
	th_jw_key(&w, "image");
	th_jw_obj_begin(&w);
	img_jw_kv(&w, "ref", r->info.ref);
	img_jw_kv(&w, "format", r->info.format);
	img_jw_kv(&w, "manifest_digest", r->info.manifest_digest);
	img_jw_kv(&w, "config_digest", r->info.config_digest);
	img_jw_kv(&w, "os", r->info.os);
	img_jw_kv(&w, "architecture", r->info.arch);
	img_jw_kv(&w, "variant", r->info.variant);
	img_jw_strs(&w, "env", r->info.env, r->info.nenv);
	img_jw_strs(&w, "entrypoint", r->info.entrypoint, r->info.nentrypoint);
	img_jw_strs(&w, "cmd", r->info.cmd, r->info.ncmd);
	th_jw_key(&w, "labels");
	th_jw_obj_begin(&w);
	for (size_t i = 0; i < r->info.nlabels; i++) {
		th_jw_key(&w, r->info.labels[2 * i]);
		th_jw_str(&w, r->info.labels[2 * i + 1]);
	}
	th_jw_obj_end(&w);
	th_jw_key(&w, "history_entries");
	th_jw_int(&w, (int64_t)r->info.nhistory);
	th_jw_key(&w, "history");
	th_jw_arr_begin(&w);
	for (size_t i = 0; i < r->info.nhistory; i++) {
		th_jw_obj_begin(&w);
		img_jw_kv(&w, "created", r->info.history[i].created);
		img_jw_kv(&w, "created_by", r->info.history[i].created_by);
		th_jw_key(&w, "empty_layer");
		th_jw_bool(&w, r->info.history[i].empty_layer);
		th_jw_obj_end(&w);
	}
	th_jw_arr_end(&w);
	th_jw_key(&w, "tree");
	th_jw_obj_begin(&w);
	th_jw_key(&w, "entries");
	th_jw_int(&w, (int64_t)r->stats.nodes);
	th_jw_key(&w, "nodes_created");
	th_jw_int(&w, (int64_t)r->stats.created);
	th_jw_key(&w, "tree_bytes");
	th_jw_int(&w, (int64_t)r->stats.tree_bytes);
	th_jw_key(&w, "kept_bytes");
	th_jw_int(&w, (int64_t)r->stats.kept_bytes);
	th_jw_obj_end(&w);
	th_jw_obj_end(&w);
	th_jw_key(&w, "os");
	if (r->os) {
		th_jw_obj_begin(&w);
		img_jw_kv(&w, "id", r->os->id);
		img_jw_kv(&w, "version_id", r->os->version_id);
		img_jw_kv(&w, "name", r->os->name);
		img_jw_kv(&w, "pretty_name", r->os->pretty_name);
		img_jw_kv(&w, "family", r->os->family);
		th_jw_obj_end(&w);
	} else {
		th_jw_null(&w);
	}
	th_jw_key(&w, "libc");
	if (libc) {
		th_jw_obj_begin(&w);
		img_jw_kv(&w, "family", strcmp(libc->kind, "libc") ? "musl" : "glibc");
		img_jw_kv(&w, "version", libc->version);
		img_jw_kv(&w, "path", libc->path);
		th_jw_obj_end(&w);
	} else {
		th_jw_null(&w);
	}
	th_jw_key(&w, "os_packages");
	th_jw_arr_begin(&w);
	for (size_t i = 0; i < r->npkgs; i++) {
		const th_image_pkg *p = &r->pkgs[i];
		th_jw_obj_begin(&w);
		img_jw_kv(&w, "name", p->name);
		img_jw_kv(&w, "version", p->version);
		img_jw_kv(&w, "arch", p->arch);
		img_jw_kv(&w, "type", p->type);
		img_jw_kv(&w, "source", p->source);
		img_jw_kv(&w, "source_version", p->source_version);
		if (!strcmp(p->type, "conda")) {
			img_jw_kv(&w, "build", p->build);
			img_jw_kv(&w, "channel", p->channel);
			img_jw_kv(&w, "environment", p->environment);
		}
		th_jw_obj_end(&w);
	}
	th_jw_arr_end(&w);
	th_jw_key(&w, "python");
	th_jw_obj_begin(&w);
	th_jw_key(&w, "interpreters");
	th_jw_arr_begin(&w);
	for (size_t i = 0; i < r->ninterps; i++) {
		th_jw_obj_begin(&w);
		img_jw_kv(&w, "version", r->interps[i].version);
		img_jw_kv(&w, "path", r->interps[i].path);
		img_jw_kv(&w, "version_source", r->interps[i].version_source);
		th_jw_key(&w, "library");
		th_jw_bool(&w, r->interps[i].library);
		img_jw_strs(&w, "site_dirs", r->interps[i].site_dirs, r->interps[i].nsite_dirs);
		th_jw_obj_end(&w);
	}
	th_jw_arr_end(&w);
	th_jw_key(&w, "environments");
	th_jw_arr_begin(&w);
	for (size_t i = 0; i < r->nenvs; i++) {
		th_jw_obj_begin(&w);
		img_jw_kv(&w, "path", r->envs[i].path);
		img_jw_kv(&w, "kind", r->envs[i].kind);
		img_jw_kv(&w, "home", r->envs[i].home);
		img_jw_kv(&w, "version", r->envs[i].version);
		th_jw_key(&w, "include_system_site_packages");
		th_jw_bool(&w, r->envs[i].system_site_packages);
		th_jw_obj_end(&w);
	}
	th_jw_arr_end(&w);
	th_jw_key(&w, "distributions");
	th_jw_arr_begin(&w);
	for (size_t i = 0; i < r->ndists; i++) {
		const th_image_dist *d = &r->dists[i];
		th_jw_obj_begin(&w);
		img_jw_kv(&w, "name", d->d.normalized);
		img_jw_kv(&w, "display_name", d->d.name);
		img_jw_kv(&w, "version", d->d.version);
		img_jw_kv(&w, "location", d->location);
		img_jw_kv(&w, "installer", d->installer);
		img_jw_kv(&w, "kind", d->kind);
		img_jw_kv(&w, "os_package", d->os_package);
		img_jw_kv(&w, "environment", d->environment);
		img_jw_kv(&w, "direct_url", d->direct_url);
		img_jw_strs(&w, "top_level", d->top_level, d->ntop_level);
		img_jw_strs(&w, "entry_points", d->entry_points, d->nentry_points);
		th_jw_key(&w, "files");
		if (d->files < 0)
			th_jw_str(&w, NULL);
		else
			th_jw_int(&w, d->files);
		img_jw_kv(&w, "requires_python", d->d.requires_python);
		img_jw_strs(&w, "requires_dist", d->d.requires_dist, d->d.nrequires_dist);
		img_jw_strs(&w, "provides_extra", d->d.provides_extra, d->d.nprovides_extra);
		th_jw_obj_end(&w);
	}
	th_jw_arr_end(&w);
	th_jw_obj_end(&w);
	th_jw_key(&w, "native_libraries");
	th_jw_arr_begin(&w);
	for (size_t i = 0; i < r->nlibs; i++) {
		const th_image_lib *l = &r->libs[i];
		th_jw_obj_begin(&w);
		img_jw_kv(&w, "path", l->path);
		img_jw_kv(&w, "soname", l->soname);
		img_jw_kv(&w, "kind", l->kind);
		img_jw_kv(&w, "version", l->version);
		img_jw_kv(&w, "machine", l->machine);
		th_jw_key(&w, "bits");
		th_jw_int(&w, l->bits);
		img_jw_kv(&w, "glibc_max", l->glibc_max);
		img_jw_kv(&w, "description", l->description);
		th_jw_obj_end(&w);
	}
	th_jw_arr_end(&w);
	th_jw_key(&w, "layers");
	th_jw_arr_begin(&w);
	for (size_t i = 0; i < r->nlayers; i++) {
		const th_image_layer *l = &r->layers[i];
		th_jw_obj_begin(&w);
		th_jw_key(&w, "index");
		th_jw_int(&w, l->index);
		img_jw_kv(&w, "digest", l->digest);
		img_jw_kv(&w, "diff_id", l->diff_id);
		img_jw_kv(&w, "media_type", l->media_type);
		img_jw_kv(&w, "compression", l->compression);
		th_jw_key(&w, "size");
		th_jw_int(&w, (int64_t)l->blob_bytes);
		th_jw_key(&w, "uncompressed_size");
		th_jw_int(&w, (int64_t)l->tar_bytes);
		th_jw_key(&w, "entries");
		th_jw_int(&w, (int64_t)l->entries);
		th_jw_key(&w, "skipped");
		th_jw_int(&w, (int64_t)l->skipped);
		th_jw_key(&w, "cached");
		th_jw_bool(&w, l->cached);
		th_jw_obj_end(&w);
	}
	th_jw_arr_end(&w);
	th_jw_obj_end(&w);
	if (th_jw_finish(&w))
		return w.rc;
	return th_buf_putc(out, '\n', err);
}

/* A purl segment: everything but unreserved characters percent-encoded. */
static void img_purl_part(th_buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
		    c == '_' || c == '~') {
			th_buf_putc(b, (char)c, NULL);
		} else {
			th_buf_putc(b, '%', NULL);
			th_buf_putc(b, hex[c >> 4], NULL);
			th_buf_putc(b, hex[c & 15], NULL);
		}
	}
}

static void img_cdx_component(th_jw *w, th_buf *purl, int *n, const char *type, const char *name, const char *version,
			      const char *desc)
{
	char ref[32];

	snprintf(ref, sizeof(ref), "component-%d", ++*n);
	th_jw_obj_begin(w);
	img_jw_kv(w, "type", type);
	img_jw_kv(w, "bom-ref", ref);
	img_jw_kv(w, "name", name);
	if (version && *version)
		img_jw_kv(w, "version", version);
	if (desc && *desc)
		img_jw_kv(w, "description", desc);
	if (purl && purl->len)
		img_jw_kv(w, "purl", purl->ptr);
	th_jw_obj_end(w);
}

/* CycloneDX 1.5 JSON: the image as the BOM's subject, the OS, OS packages
 * (pkg:deb / pkg:rpm / pkg:apk), Python distributions (pkg:pypi) and
 * well-known native libraries (pkg:generic). */
static int img_cyclonedx(const th_imgfacts *r, th_buf *out, th_error *err)
{
	th_jw w;
	th_buf purl = TH_BUF_INIT;
	int n = 0;
	const char *distro = r->os ? r->os->id : NULL;

	th_jw_init(&w, out, 1, err);
	th_jw_obj_begin(&w);
	img_jw_kv(&w, "bomFormat", "CycloneDX");
	img_jw_kv(&w, "specVersion", "1.5");
	th_jw_key(&w, "version");
	th_jw_int(&w, 1);
	th_jw_key(&w, "metadata");
	th_jw_obj_begin(&w);
	th_jw_key(&w, "tools");
	th_jw_obj_begin(&w);
	th_jw_key(&w, "components");
	th_jw_arr_begin(&w);
	th_jw_obj_begin(&w);
	img_jw_kv(&w, "type", "application");
	img_jw_kv(&w, "name", "thoth");
	img_jw_kv(&w, "version", THOTH_VERSION);
	th_jw_obj_end(&w);
	th_jw_arr_end(&w);
	th_jw_obj_end(&w);
	th_jw_key(&w, "component");
	th_jw_obj_begin(&w);
	img_jw_kv(&w, "type", "container");
	img_jw_kv(&w, "bom-ref", "image");
	img_jw_kv(&w, "name", r->info.ref);
	if (r->info.manifest_digest)
		img_jw_kv(&w, "version", r->info.manifest_digest);
	th_jw_obj_end(&w);
	th_jw_obj_end(&w);
	th_jw_key(&w, "components");
	th_jw_arr_begin(&w);
	if (r->os)
		img_cdx_component(&w, NULL, &n, "operating-system", r->os->id, r->os->version_id, r->os->pretty_name);
	for (size_t i = 0; i < r->npkgs; i++) {
		const th_image_pkg *p = &r->pkgs[i];
		th_buf_clear(&purl);
		th_buf_printf(&purl, NULL, "pkg:%s/", p->type);
		if (strcmp(p->type, "conda")) { /* conda purls have no namespace */
			img_purl_part(&purl, distro ? distro : p->type);
			th_buf_putc(&purl, '/', NULL);
		}
		img_purl_part(&purl, p->name);
		th_buf_putc(&purl, '@', NULL);
		img_purl_part(&purl, p->version);
		if (p->arch && *p->arch) {
			th_buf_puts(&purl, "?arch=", NULL);
			img_purl_part(&purl, p->arch);
		}
		if (!strcmp(p->type, "conda") && p->build && *p->build) {
			th_buf_puts(&purl, "?build=", NULL);
			img_purl_part(&purl, p->build);
		} else if (distro && r->os->version_id && *r->os->version_id) {
			th_buf_puts(&purl, p->arch && *p->arch ? "&distro=" : "?distro=", NULL);
			img_purl_part(&purl, distro);
			th_buf_putc(&purl, '-', NULL);
			img_purl_part(&purl, r->os->version_id);
		}
		img_cdx_component(&w, &purl, &n, "library", p->name, p->version, NULL);
	}
	for (size_t i = 0; i < r->ndists; i++) {
		const th_image_dist *d = &r->dists[i];
		th_buf_clear(&purl);
		th_buf_puts(&purl, "pkg:pypi/", NULL);
		img_purl_part(&purl, d->d.normalized);
		th_buf_putc(&purl, '@', NULL);
		img_purl_part(&purl, d->d.version);
		img_cdx_component(&w, &purl, &n, "library", d->d.normalized, d->d.version, d->location);
	}
	for (size_t i = 0; i < r->nlibs; i++) {
		const th_image_lib *l = &r->libs[i];
		if (!strcmp(l->kind, "other"))
			continue;
		th_buf_clear(&purl);
		th_buf_puts(&purl, "pkg:generic/", NULL);
		img_purl_part(&purl, l->kind);
		if (l->version) {
			th_buf_putc(&purl, '@', NULL);
			img_purl_part(&purl, l->version);
		}
		img_cdx_component(&w, &purl, &n, "library", l->kind, l->version, l->path);
	}
	th_jw_arr_end(&w);
	th_jw_obj_end(&w);
	th_buf_release(&purl);
	if (th_jw_finish(&w))
		return w.rc;
	return th_buf_putc(out, '\n', err);
}

static void img_table(const th_imgfacts *r, FILE *f)
{
	const th_image_lib *libc = r->libc;

	fprintf(f, "image     %s (%s, %s/%s%s%s)\n", r->info.ref, r->info.format, r->info.os ? r->info.os : "",
		r->info.arch ? r->info.arch : "", r->info.variant && *r->info.variant ? "/" : "",
		r->info.variant ? r->info.variant : "");
	if (r->os)
		fprintf(f, "os        %s %s (%s)\n", r->os->id, r->os->version_id, r->os->family);
	if (libc)
		fprintf(f, "libc      %s %s\n", strcmp(libc->kind, "libc") ? "musl" : "glibc", libc->version ? libc->version : "?");
	fprintf(f, "layers    %zu\n", r->nlayers);
	fprintf(f, "\nOS PACKAGES (%zu)\n", r->npkgs);
	for (size_t i = 0; i < r->npkgs; i++)
		fprintf(f, "  %-40s %-32s %s\n", r->pkgs[i].name, r->pkgs[i].version,
			r->pkgs[i].arch ? r->pkgs[i].arch : r->pkgs[i].type);
	fprintf(f, "\nPYTHON INTERPRETERS (%zu)\n", r->ninterps);
	for (size_t i = 0; i < r->ninterps; i++)
		fprintf(f, "  %-12s %s\n", r->interps[i].version, r->interps[i].path);
	fprintf(f, "\nPYTHON DISTRIBUTIONS (%zu)\n", r->ndists);
	for (size_t i = 0; i < r->ndists; i++)
		fprintf(f, "  %-32s %-16s %s%s%s%s\n", r->dists[i].d.normalized, r->dists[i].d.version, r->dists[i].location,
			r->dists[i].os_package ? "  [" : "", r->dists[i].os_package ? r->dists[i].os_package : "",
			r->dists[i].os_package ? "]" : "");
	fprintf(f, "\nNATIVE LIBRARIES (%zu, well-known shown)\n", r->nlibs);
	for (size_t i = 0; i < r->nlibs; i++)
		if (strcmp(r->libs[i].kind, "other"))
			fprintf(f, "  %-14s %-12s %s\n", r->libs[i].kind, r->libs[i].version ? r->libs[i].version : "",
				r->libs[i].path);
}

/* The progress indicator: stderr when it is a terminal. */
static void img_progress(void *ud, unsigned layer, size_t nlayers)
{
	fprintf(ud, "\rthoth: layer %u of %zu read", layer + 1, nlayers);
}

static int scan_image_run(th_ctx *ctx, const th_args *a)
{
	const char *format = th_args_get(a, "--format");
	th_imgfacts f;
	th_arena arena;
	th_store *store;
	th_buf out = TH_BUF_INIT;
	int rc, status = TH_EXIT_ERROR;
	th_imgscan_opts o = TH_IMGSCAN_OPTS_INIT;

	th_arena_init(&arena, 64 * 1024);
	if (!format)
		format = "table";
	if (th_ctx_store(ctx, &store))
		goto done;
	o.platform = th_args_get(a, "--platform");
	o.verify = th_args_flag(a, "--verify") > 0;
	o.lim = &ctx->limits;
	if (!ctx->quiet && isatty(fileno(ctx->diag))) {
		o.progress = img_progress;
		o.progress_ud = ctx->diag;
	}
	rc = th_imgscan_facts(store, a->pos[0], &o, &f, &arena, &ctx->err);
	if (o.progress)
		fputs("\r\033[K", ctx->diag);
	if (rc)
		goto done;
	if (!strcmp(format, "json") || !strcmp(format, "cyclonedx")) {
		if ((!strcmp(format, "json") ? img_json : img_cyclonedx)(&f, &out, &ctx->err))
			goto done;
		fwrite(out.ptr, 1, out.len, ctx->out);
	} else {
		img_table(&f, ctx->out);
	}
	status = TH_EXIT_OK;
done:
	th_buf_release(&out);
	th_arena_release(&arena);
	return status;
}

static const th_opt scan_image_opts[] = {
	{ "--platform", TH_OPT_VALUE, "OS/ARCH[/VARIANT]", "image platform to pick from an index (default linux/amd64)", NULL },
	{ "--verify", TH_OPT_FLAG, NULL, "verify every layer's digests again, even those seen before", NULL },
	{ "--format", TH_OPT_VALUE, NULL, "output format", "table|json|cyclonedx" },
	TH_OPT_END
};

const th_cmd th_cmds_scan_image[] = {
	{ "scan image", "REF", "scan a container image: OS, packages, Python, native libraries",
	  "REF is an OCI layout directory, an OCI archive, a docker-archive tar or a root filesystem directory.",
	  scan_image_opts, 1, 1, scan_image_run },
	{ NULL, NULL, NULL, NULL, NULL, 0, 0, NULL }
};
