/*
 * unit_builtin — the pipeline units thoth ships, chosen per recommendation
 * type (th_unit_builtin_add). Scores are small fixed weights so that stacks
 * compare by what the type cares about first and by recency last:
 *
 * every type
 *   boot  env               says which target the stack is for; fails when
 *                           the target has no Python version
 *   sieve requires_python   drops versions whose Requires-Python excludes
 *                           the target
 *   sieve wheel_tags        drops versions with no wheel for the target's
 *                           tags and no sdist (only with a tag set and a
 *                           wheel_tags fact)
 *   sieve yanked            drops yanked versions
 *   sieve prerelease        drops pre-releases of projects that have a final
 *                           version, unless the policy allows them (a
 *                           project with only pre-releases keeps them)
 *   step  api_removed       rejects a version lacking an API symbol the code
 *                           uses (api_removed rule data x source usages)
 *   step  recency           -w * rank / count (rank 0 = newest kept
 *                           version); w = 0.5 for latest and testing, 0.05
 *                           otherwise (a tie-break)
 *   wrap  advisories        lists the pins with known advisories
 * every type, with curated knowledge (th_pipeline_config.know)
 *   sieve python_support    drops releases the knowledge says do not
 *                           support the target's Python
 *   sieve cuda              drops framework releases built for another
 *                           CUDA / cuDNN (only when the target states CUDA)
 *   step  api_removed       as above, from the knowledge's indexes
 * (known-broken combinations are the knowledge's own step.Group units with
 * not_acceptable: they join the pipeline as rule units and reject the
 * second package of a broken pair where it is chosen.)
 * stable, testing, latest
 *   step  cve               -0.2 per advisory affecting the version
 *                           (clamped to -1)
 * stable
 *   step  stable            -0.3 pre-release, -0.1 a yanked neighbour
 *                           (the next older or newer version is yanked),
 *                           -0.2 a fresh X.Y.0 when a later X.Y.Z exists,
 *                           -0.2 released less than 7 days before "now"
 * security
 *   sieve cve               drops versions with advisories
 *   step  fixed             +0.1 for a version of a project with advisories
 *                           that none of them affects
 * performance
 *   step  performance       the observation's score for (name, version);
 *                           the env boot says so when there are none
 */
#ifndef TH_UNIT_BUILTIN_H
#define TH_UNIT_BUILTIN_H

#include "core/error.h"
#include "resolver/pipeline.h"

/* Adds the built-in units of the pipeline's type. */
int th_unit_builtin_add(th_pipeline *p, th_error *err);

#endif
