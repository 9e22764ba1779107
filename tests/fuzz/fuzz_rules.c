/* Fuzz target: any bytes as a rule file, loaded and then evaluated against a
 * runtime environment. It must never crash, hang or leak. */
#include <stddef.h>
#include <stdint.h>

#include "analyzer/rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const flags[] = { "avx2" };
	th_rule_pypkg_present pkg = { "numpy", "1.21.0", "/usr/lib/python3/site-packages" };
	th_rule_env env = TH_RULE_ENV_INIT;
	th_limits lim;
	th_rules r;
	th_arena a;

	th_limits_init(&lim);
	lim.yaml_nodes = 20000;
	th_rules_init(&r, &lim);
	th_arena_init(&a, 4096);
	env.python_version = "3.8";
	env.cuda_version = "11.1";
	env.recommendation_type = "stable";
	env.os_name = "rhel";
	env.os_version = "8";
	env.cpu_family = "6";
	env.cpu_model = "94";
	env.cpu_flags = flags;
	env.ncpu_flags = 1;
	env.base_image = "quay.io/thoth-station/s2i-thoth-ubi8-py38:v0.29.0";
	env.has_image_analysis = true;
	env.python_packages = &pkg;
	env.npython_packages = 1;
	th_rule_env_prepare(&env, &a, NULL);
	if (!th_rules_add_file(&r, "fuzz.yaml", (const char *)data, size, NULL))
		for (size_t i = 0; i < r.n; i++) {
			const th_rule_unit *u = r.units[i];
			th_rule_should_include(u, &env, NULL);
			for (size_t j = 0; j < u->nmatch; j++)
				for (size_t k = 0; k < u->match[j].nresolved; k++)
					th_rule_pkg_matches(&u->match[j].resolved[k], "numpy", "1.24.0", "https://index.example/simple",
							    -1, &a);
		}
	th_arena_release(&a);
	th_rules_release(&r);
	return 0;
}
