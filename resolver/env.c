#include "resolver/env.h"

#include <stdio.h>
#include <string.h>

#include "core/json.h"

static const char *const env__vars[] = {
	"python_version", "python_full_version", "os_name", "sys_platform", "platform_release",
	"platform_system", "platform_version", "platform_machine", "platform_python_implementation",
	"implementation_name", "implementation_version",
};

int th_env_init_linux_cpython(th_env *out, const char *python, const char *platform, th_error *err)
{
	memset(out, 0, sizeof *out);
	th_arena_init(&out->arena, 0);
	th_marker_env_init(&out->markers);
	unsigned x, y, z = 0;
	int n = 0, used = 0;
	size_t plen = python ? strlen(python) : 0;
	if (!python || plen >= TH_ENV_TEXT_MAX ||
	    ((sscanf(python, "%u.%u.%u%n", &x, &y, &z, &used) != 3 || (size_t)used != plen) &&
	     (sscanf(python, "%u.%u%n", &x, &y, &n) != 2 || (size_t)n != plen)))
		return th_error_set(err, TH_ERR_USAGE, "--python %s: expected X.Y or X.Y.Z",
				    python ? python : "(missing)");
	snprintf(out->python_full, sizeof out->python_full, "%u.%u.%u", x, y, z);
	snprintf(out->python_short, sizeof out->python_short, "%u.%u", x, y);
	const char *mach = "x86_64";
	size_t mlen = 6;
	if (platform && *platform) {
		const char *dash = strchr(platform, '-');
		mach = platform;
		mlen = dash ? (size_t)(dash - platform) : strlen(platform);
		if (mlen == 0 || mlen >= TH_ENV_TEXT_MAX)
			return th_error_set(err, TH_ERR_USAGE, "--python-platform %s: expected ARCH-PLATFORM",
					    platform);
	}
	memcpy(out->machine, mach, mlen);
	out->machine[mlen] = '\0';
	int rc = th_version_parse(&out->pyver, out->python_full, strlen(out->python_full), &out->arena, err);
	if (rc < 0)
		return rc;
	const char *vals[] = {
		out->python_short, out->python_full, "posix", "linux", "", "Linux", "", out->machine,
		"CPython", "cpython", out->python_full,
	};
	for (size_t i = 0; i < sizeof env__vars / sizeof env__vars[0]; i++)
		if ((rc = th_env_set(out, env__vars[i], vals[i], err)) < 0)
			return rc;
	return th_env_set(out, "extra", "", err);
}

int th_env_set(th_env *env, const char *name, const char *value, th_error *err)
{
	return th_marker_env_set(&env->markers, name, value, strlen(value), err);
}

void th_env_release(th_env *env)
{
	if (!env)
		return;
	th_marker_env_release(&env->markers);
	th_arena_release(&env->arena);
}

int th_env_format_json(const th_env *env, th_buf *out, th_error *err)
{
	th_jw w;
	th_jw_init(&w, out, 1, err);
	th_jw_obj_begin(&w);
	for (size_t i = 0; i < sizeof env__vars / sizeof env__vars[0]; i++) {
		th_jw_key(&w, env__vars[i]);
		const th_marker_envval *v = &env->markers.var[i];
		th_jw_strn(&w, v->s, v->len);
	}
	th_jw_obj_end(&w);
	return th_jw_finish(&w);
}
