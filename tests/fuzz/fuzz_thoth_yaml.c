/* Fuzz target: a .thoth.yaml read as a target environment. The first byte
 * picks which runtime environment is asked for (none, the first name seen,
 * or a name nobody has); reading either fails cleanly or yields a spec that
 * th_env_init turns into an env or refuses (bad Python version, unknown
 * platform), and the env's description and tags are then used. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "resolver/env.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	th_limits lim;
	th_limits_init(&lim);
	th_arena a;
	th_arena_init(&a, 0);
	const char *names[] = { NULL, "rhel9", "no-such-env" };
	th_env_spec sp;
	if (th_env_spec_from_yaml(&sp, (const char *)data + 1, size - 1, "fuzz.yaml", names[data[0] % 3], &lim, &a,
				  NULL) == 0) {
		th_env env;
		if (th_env_init(&env, &sp, NULL) == 0) {
			th_buf b = TH_BUF_INIT;
			th_jw w;
			th_jw_init(&w, &b, 0, NULL);
			th_env_write_json(&env, &w);
			th_jw_finish(&w);
			th_tag t = { "py3", "none", "any" };
			th_env_wheel_rank(&env, &t, 1);
			th_env_label(&env);
			th_buf_release(&b);
		}
		th_env_release(&env);
	}
	th_arena_release(&a);
	return 0;
}
