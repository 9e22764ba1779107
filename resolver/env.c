#include "resolver/env.h"

#include <stdio.h>
#include <string.h>

#include "analyzer/imgscan.h"
#include "core/yaml.h"

static const char *const env__vars[] = {
	"python_version", "python_full_version", "os_name", "sys_platform", "platform_release",
	"platform_system", "platform_version", "platform_machine", "platform_python_implementation",
	"implementation_name", "implementation_version",
};

/* The libc each OS release ships (facts from the distributions' package
 * lists); a prefix match on the version ("9.4" is 9). */
static const struct {
	const char *os, *version, *libc, *libc_version;
} env__os_libc[] = {
	{ "debian", "10", "glibc", "2.28" },   { "debian", "11", "glibc", "2.31" },
	{ "debian", "12", "glibc", "2.36" },   { "debian", "13", "glibc", "2.41" },
	{ "ubuntu", "18.04", "glibc", "2.27" }, { "ubuntu", "20.04", "glibc", "2.31" },
	{ "ubuntu", "22.04", "glibc", "2.35" }, { "ubuntu", "24.04", "glibc", "2.39" },
	{ "rhel", "7", "glibc", "2.17" },      { "rhel", "8", "glibc", "2.28" },
	{ "rhel", "9", "glibc", "2.34" },      { "centos", "7", "glibc", "2.17" },
	{ "centos", "8", "glibc", "2.28" },    { "centos", "9", "glibc", "2.34" },
	{ "ubi", "8", "glibc", "2.28" },       { "ubi", "9", "glibc", "2.34" },
	{ "rocky", "8", "glibc", "2.28" },     { "rocky", "9", "glibc", "2.34" },
	{ "almalinux", "8", "glibc", "2.28" }, { "almalinux", "9", "glibc", "2.34" },
	{ "fedora", "36", "glibc", "2.35" },   { "fedora", "37", "glibc", "2.36" },
	{ "fedora", "38", "glibc", "2.37" },   { "fedora", "39", "glibc", "2.38" },
	{ "fedora", "40", "glibc", "2.39" },   { "fedora", "41", "glibc", "2.40" },
	{ "amzn", "2", "glibc", "2.26" },      { "amzn", "2023", "glibc", "2.34" },
	{ "alpine", "3.1", "musl", "1.1" }, /* 3.10 .. 3.12 (3.1x prefix); later ones below */
	{ "alpine", "", "musl", "1.2" },
};

bool th_env_os_libc(const char *os_name, const char *os_version, const char **libc, const char **libc_version)
{
	if (!os_name)
		return false;
	const char *v = os_version ? os_version : "";
	for (size_t i = 0; i < sizeof env__os_libc / sizeof env__os_libc[0]; i++) {
		const char *want = env__os_libc[i].version;
		size_t wl = strlen(want);
		if (strcmp(os_name, env__os_libc[i].os) != 0)
			continue;
		/* "9.4" matches "9"; "3.10".."3.12" are alpine's musl 1.1 line, 3.13+ is 1.2 */
		bool match = wl == 0 || (strncmp(v, want, wl) == 0 && (v[wl] == '\0' || v[wl] == '.'));
		if (!strcmp(os_name, "alpine") && wl) {
			unsigned maj = 0, min = 0;
			match = sscanf(v, "%u.%u", &maj, &min) == 2 && maj == 3 && min < 13;
		}
		if (match) {
			*libc = env__os_libc[i].libc;
			*libc_version = env__os_libc[i].libc_version;
			return true;
		}
	}
	return false;
}

static char *env__dup(th_env *e, const char *s)
{
	return s ? th_arena_strdup(&e->arena, s) : NULL;
}

/* The uv-style platform text for the spec. */
static int env__platform(th_env *e, const th_env_spec *sp, char *out, size_t cap, th_error *err)
{
	if (sp->platform && *sp->platform) {
		if (strlen(sp->platform) >= cap)
			return th_error_set(err, TH_ERR_USAGE, "platform %.64s: too long", sp->platform);
		snprintf(out, cap, "%s", sp->platform);
		return 0;
	}
	const char *arch = sp->arch && *sp->arch ? sp->arch : "x86_64";
	const char *libc = sp->libc, *lv = sp->libc_version;
	if (!libc || !lv)
		th_env_os_libc(sp->os_name, sp->os_version, &libc, &lv);
	(void)e;
	unsigned maj = 0, min = 0;
	if (libc && lv && sscanf(lv, "%u.%u", &maj, &min) == 2) {
		if (!strcmp(libc, "musl"))
			snprintf(out, cap, "%.16s-musllinux_%u_%u", arch, maj, min);
		else
			snprintf(out, cap, "%.16s-manylinux_%u_%u", arch, maj, min);
	} else {
		snprintf(out, cap, "%.16s-manylinux_2_28", arch);
	}
	return 0;
}

int th_env_init(th_env *out, const th_env_spec *sp, th_error *err)
{
	memset(out, 0, sizeof *out);
	th_arena_init(&out->arena, 0);
	th_marker_env_init(&out->markers);
	const char *python = sp->python;
	unsigned x, y, z = 0;
	int n = 0, used = 0;
	size_t plen = python ? strlen(python) : 0;
	if (!python || plen >= TH_ENV_TEXT_MAX ||
	    ((sscanf(python, "%u.%u.%u%n", &x, &y, &z, &used) != 3 || (size_t)used != plen) &&
	     (sscanf(python, "%u.%u%n", &x, &y, &n) != 2 || (size_t)n != plen)))
		return th_error_set(err, TH_ERR_USAGE, "python version %.64s: expected X.Y or X.Y.Z",
				    python ? python : "(missing)");
	if (sp->implementation && *sp->implementation && strcmp(sp->implementation, "cpython") != 0 &&
	    strcmp(sp->implementation, "CPython") != 0)
		return th_error_set(err, TH_ERR_USAGE, "python implementation %.32s: only CPython targets are supported",
				    sp->implementation);
	snprintf(out->python_full, sizeof out->python_full, "%u.%u.%u", x, y, z);
	snprintf(out->python_short, sizeof out->python_short, "%u.%u", x, y);
	char plat[TH_ENV_TEXT_MAX];
	int rc = env__platform(out, sp, plat, sizeof plat, err);
	if (rc < 0)
		return rc;
	/* platform_machine is the architecture part; core/tags checks the rest */
	size_t mlen = strcspn(plat, "-");
	if (mlen == 0 || mlen >= TH_ENV_TEXT_MAX)
		return th_error_set(err, TH_ERR_USAGE, "platform %s: expected ARCH-PLATFORM", plat);
	memcpy(out->machine, plat, mlen);
	out->machine[mlen] = '\0';
	if ((rc = th_target_parse(&out->target, out->python_full, plat, &out->arena, err)) < 0)
		return rc;
	if (out->target.os == TH_OS_MACOS || out->target.os == TH_OS_WINDOWS)
		return th_error_set(err, TH_ERR_USAGE, "platform %s: only Linux targets are supported", plat);
	if ((rc = th_tags_supported(&out->tags, &out->ntags, &out->target, &out->arena, err)) < 0 ||
	    (rc = th_tagset_build(&out->tagset, out->tags, out->ntags, &out->arena, err)) < 0)
		return rc;
	out->platform = env__dup(out, plat);
	/* the copied spec keeps the source's facts for the pipeline and outputs */
	const char *const *src = (const char *const *)sp;
	char **dst = (char **)&out->spec;
	for (size_t i = 0; i < sizeof *sp / sizeof(char *); i++)
		dst[i] = env__dup(out, src[i]);
	if ((rc = th_version_parse(&out->pyver, out->python_full, strlen(out->python_full), &out->arena, err)) < 0)
		return rc;
	const char *vals[] = {
		out->python_short, out->python_full, "posix", "linux", "", "Linux", "", out->machine,
		"CPython", "cpython", out->python_full,
	};
	for (size_t i = 0; i < sizeof env__vars / sizeof env__vars[0]; i++)
		if ((rc = th_env_set(out, env__vars[i], vals[i], err)) < 0)
			return rc;
	if (!out->platform)
		return th_error_set(err, TH_ERR_NOMEM, "env: out of memory");
	return th_env_set(out, "extra", "", err);
}

int th_env_init_linux_cpython(th_env *out, const char *python, const char *platform, th_error *err)
{
	th_env_spec sp;
	memset(&sp, 0, sizeof sp);
	sp.source = "flags";
	sp.python = python;
	sp.platform = platform;
	return th_env_init(out, &sp, err);
}

/* ---- .thoth.yaml ---- */

static const char *env__text(const th_yaml_node *map, const char *key, th_arena *a)
{
	const th_yaml_node *n = th_yaml_get(map, key);
	if (!n || n->kind != TH_YAML_SCALAR || n->type == TH_YAML_NULL)
		return NULL;
	size_t len;
	const char *t = th_yaml_text(n, &len);
	return t && len ? th_arena_strndup(a, t, len) : NULL;
}

static void env__fill(th_env_spec *o, const th_yaml_node *m, th_arena *a)
{
	o->name = env__text(m, "name", a);
	o->python = env__text(m, "python_version", a);
	o->cuda = env__text(m, "cuda_version", a);
	o->cudnn = env__text(m, "cudnn_version", a);
	o->mkl = env__text(m, "mkl_version", a);
	o->openblas = env__text(m, "openblas_version", a);
	o->openmpi = env__text(m, "openmpi_version", a);
	o->base_image = env__text(m, "base_image", a);
	o->recommendation_type = env__text(m, "recommendation_type", a);
	const th_yaml_node *os = th_yaml_get(m, "operating_system");
	o->os_name = env__text(os, "name", a);
	o->os_version = env__text(os, "version", a);
	const th_yaml_node *hw = th_yaml_get(m, "hardware");
	o->cpu_family = env__text(hw, "cpu_family", a);
	o->cpu_model = env__text(hw, "cpu_model", a);
	o->gpu_model = env__text(hw, "gpu_model", a);
	/* Thoth writes sysconfig's platform ("linux-x86_64"); a uv-style value is taken as is */
	const char *p = env__text(m, "platform", a);
	if (p && !strncmp(p, "linux-", 6))
		o->arch = p + 6;
	else if (p)
		o->platform = p;
}

int th_env_spec_from_yaml(th_env_spec *out, const char *text, size_t len, const char *what, const char *name,
			  const th_limits *lim, th_arena *a, th_error *err)
{
	memset(out, 0, sizeof *out);
	th_yaml_opts yo;
	th_yaml_opts_init(&yo, lim, what);
	th_yaml_node *doc = NULL;
	int rc = th_yaml_parse(&doc, text, len, &yo, a, err);
	if (rc < 0)
		return rc;
	if (th_yaml_typeof(doc) != TH_YAML_MAPPING)
		return th_error_set(err, TH_ERR_INVALID, "%s: expected a mapping at the top", what);
	const th_yaml_node *envs = th_yaml_get(doc, "runtime_environments");
	const th_yaml_node *pick = NULL;
	if (!envs) {
		if (!th_yaml_get(doc, "python_version"))
			return th_error_set(err, TH_ERR_INVALID, "%s: no runtime_environments and no python_version", what);
		pick = doc;
	} else if (envs->kind != TH_YAML_SEQ) {
		return th_error_set(err, TH_ERR_INVALID, "%s:%u:%u: runtime_environments: expected a list", what,
				    envs->line, envs->col);
	} else {
		for (size_t i = 0; i < envs->u.seq.n && !pick; i++) {
			const th_yaml_node *e = envs->u.seq.items[i];
			if (e->kind != TH_YAML_MAP)
				return th_error_set(err, TH_ERR_INVALID, "%s:%u:%u: runtime environment: expected a mapping",
						    what, e->line, e->col);
			const char *n = env__text(e, "name", a);
			if (!name || (n && !strcmp(n, name)))
				pick = e;
		}
		if (!pick)
			return th_error_set(err, TH_ERR_NOTFOUND, "%s: no runtime environment named %.64s", what,
					    name ? name : "(any)");
	}
	env__fill(out, pick, a);
	/* recommendation_type may sit at the top level, as in Thoth's own files */
	if (!out->recommendation_type)
		out->recommendation_type = env__text(doc, "recommendation_type", a);
	if (!out->python)
		return th_error_set(err, TH_ERR_INVALID, "%s: runtime environment %s: python_version is missing", what,
				    out->name ? out->name : "(unnamed)");
	return 0;
}

/* ---- image facts ---- */

/* OCI architecture names -> platform_machine. */
static const char *env__machine(const char *oci)
{
	static const char *const map[][2] = {
		{ "amd64", "x86_64" }, { "arm64", "aarch64" }, { "386", "i686" }, { "arm", "armv7l" },
		{ "ppc64le", "ppc64le" }, { "s390x", "s390x" }, { "riscv64", "riscv64" },
	};
	for (size_t i = 0; oci && i < sizeof map / sizeof map[0]; i++)
		if (!strcmp(oci, map[i][0]))
			return map[i][1];
	return oci;
}

int th_env_spec_from_image(th_env_spec *out, const struct th_imgfacts *f, const char *ref, th_arena *a,
			   th_error *err)
{
	memset(out, 0, sizeof *out);
	const th_image_interp *py = th_imgfacts_python(f);
	if (!py || !py->version)
		return th_error_set(err, TH_ERR_NOTFOUND, "image %.200s: no Python interpreter found", ref);
	char src[300];
	snprintf(src, sizeof src, "image %.280s", ref);
	out->source = th_arena_strdup(a, src);
	out->base_image = ref;
	out->python = py->version;
	out->implementation = th_imgfacts_implementation(py);
	out->arch = env__machine(f->info.arch);
	out->libc = f->libc_family;
	out->libc_version = f->libc_version;
	if (f->os) {
		out->os_name = f->os->id;
		out->os_version = f->os->version_id && *f->os->version_id ? f->os->version_id : NULL;
	}
	out->cuda = f->cuda_version;
	out->cudnn = f->cudnn_version;
	const th_image_lib *l;
	if ((l = th_imgfacts_lib(f, "mkl")) != NULL)
		out->mkl = l->version;
	if ((l = th_imgfacts_lib(f, "openblas")) != NULL)
		out->openblas = l->version;
	return out->source ? 0 : th_error_set(err, TH_ERR_NOMEM, "env: out of memory");
}

int th_env_set(th_env *env, const char *name, const char *value, th_error *err)
{
	return th_marker_env_set(&env->markers, name, value, strlen(value), err);
}

bool th_env_marker_holds(th_env *env, const th_marker *m, const char *extra)
{
	if (!m)
		return true;
	bool ok = false;
	if (th_env_set(env, "extra", extra, NULL) < 0 || th_marker_eval(m, &env->markers, &ok, NULL) < 0)
		ok = false;
	th_env_set(env, "extra", "", NULL);
	return ok;
}

void th_env_release(th_env *env)
{
	if (!env)
		return;
	th_marker_env_release(&env->markers);
	th_arena_release(&env->arena);
}

int th_env_wheel_rank(const th_env *env, const th_tag *tags, size_t ntags)
{
	return env->tagset ? th_tags_rank(env->tagset, tags, ntags) : -1;
}

const char *th_env_label(th_env *env)
{
	char b[3 * TH_ENV_TEXT_MAX];
	snprintf(b, sizeof b, "%s on %s", env->target.interpreter ? env->target.interpreter : env->python_short,
		 env->platform ? env->platform : env->machine);
	const char *s = th_arena_strdup(&env->arena, b);
	return s ? s : "the target";
}

static void env__markers_json(const th_env *env, th_jw *w)
{
	th_jw_obj_begin(w);
	for (size_t i = 0; i < sizeof env__vars / sizeof env__vars[0]; i++) {
		th_jw_key(w, env__vars[i]);
		const th_marker_envval *v = &env->markers.var[i];
		th_jw_strn(w, v->s, v->len);
	}
	th_jw_obj_end(w);
}

int th_env_format_json(const th_env *env, th_buf *out, th_error *err)
{
	th_jw w;
	th_jw_init(&w, out, 1, err);
	env__markers_json(env, &w);
	return th_jw_finish(&w);
}

void th_env_write_json(const th_env *env, th_jw *w)
{
	const th_env_spec *s = &env->spec;
	th_jw_obj_begin(w);
	th_jw_key(w, "name");
	th_jw_str(w, s->name);
	th_jw_key(w, "source");
	th_jw_str(w, s->source);
	th_jw_key(w, "python_version");
	th_jw_str(w, env->python_full);
	th_jw_key(w, "implementation");
	th_jw_str(w, "cpython");
	th_jw_key(w, "platform");
	th_jw_str(w, env->platform);
	th_jw_key(w, "operating_system");
	th_jw_obj_begin(w);
	th_jw_key(w, "name");
	th_jw_str(w, s->os_name);
	th_jw_key(w, "version");
	th_jw_str(w, s->os_version);
	th_jw_obj_end(w);
	const char *keys[] = { "cuda_version", "cudnn_version", "mkl_version", "openblas_version", "openmpi_version",
			       "base_image", "recommendation_type" };
	const char *vals[] = { s->cuda, s->cudnn, s->mkl, s->openblas, s->openmpi, s->base_image,
			       s->recommendation_type };
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		th_jw_key(w, keys[i]);
		th_jw_str(w, vals[i]);
	}
	th_jw_key(w, "markers");
	env__markers_json(env, w);
	th_jw_obj_end(w);
}
