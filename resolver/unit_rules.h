/*
 * unit_rules — pipeline units made from loaded Thoth prescriptions
 * (analyzer/rules.h), run with the semantics of Thoth's adviser:
 *
 * - `match` is a list of alternatives: a unit fires when any entry matches.
 *   A package in `match` matches a candidate by name, version specifier
 *   (pre-releases as packaging's None), develop (index packages are not
 *   develop) and index_url (unknown here: a stated URL never matches, a
 *   {not: URL} always does).
 * - boot: fires when its package_name is a root (or none is stated); run's
 *   stack_info and log become justifications, not_acceptable and
 *   eager_stop_pipeline stop the pipeline with that message.
 * - pseudonym: a matching candidate gets the yielded alternative (the
 *   matched version when yield_matched_version, else the locked version,
 *   else any version of the yielded package). The search substitutes it
 *   (search.h, "Pseudonyms"): the alternative stands in for the project
 *   wherever a requirement accepts the matched version; --type latest never
 *   substitutes (it is pip's answer).
 * - sieve: drops matching candidates; sieve.SkipPackage removes the named
 *   package from the resolution.
 * - step: a matching candidate (and every state.resolved_dependencies entry
 *   resolved in the partial stack) gets the score (clamped to [-1, 1]), the
 *   justifications and stack_info; not_acceptable rejects it;
 *   eager_stop_pipeline stops the search after the stack. Steps without
 *   resolved_dependencies or package_version_from are context free.
 *   step.Group fires for a member of the group when the other members are
 *   resolved. step.SkipPackage drops the candidate's project.
 *   step.AddPackage adds its package_version (name and locked_version, a
 *   requirement "name==X") to the stack: the search resolves it as a
 *   dependency of the candidate that triggered it (index_url and develop
 *   are not checked: packages come from the one index thoth reads).
 * - state.package_version_from (who introduced the candidate), as Thoth's
 *   adviser reads it: every entry names a package resolved in the partial
 *   stack, of a matching version, whose requirements (dependencies or
 *   added packages) brought the candidate's project in, i.e. one of the
 *   candidate's dependents the search tracks (th_stackview.from; the
 *   project's own requirements are no dependent); and unless
 *   package_version_from_allow_other, no other resolved dependent brought
 *   it in. Such steps are contextual and flagged TH_UNIT_NEEDS_FROM.
 * - stride: a final stack with every resolved_dependencies entry gets
 *   stack_info; not_acceptable rejects it.
 * - wrap: a final stack with every resolved_dependencies entry gets the
 *   justifications and stack_info; wrap.GHReleaseNotes links the release
 *   notes of the resolved version.
 */
#ifndef TH_UNIT_RULES_H
#define TH_UNIT_RULES_H

#include "analyzer/rules.h"
#include "core/error.h"
#include "resolver/pipeline.h"

/* Adds a unit for each rule of r that should be included for renv (NULL:
 * an adviser environment of the pipeline's type and Python version). */
int th_unit_rules_add(th_pipeline *p, th_rules *r, const th_rule_env *renv, th_error *err);

#endif
