/* cfgyaml.h - YAML node helpers shared by the two YAML readers, the
 * configuration loader (base/config.c, where they are defined) and the
 * sweep loader (base/sweep.c), so that both judge "no value" alike and
 * quote a user's value alike in their messages. */
#ifndef VMSPEC_CFGYAML_H
#define VMSPEC_CFGYAML_H

#include <stdbool.h>
#include <stddef.h>
#include <yaml.h>

/* A plain "", "~" or "null" scalar: no value. */
bool cy_null(const yaml_node_t *n);
/* A scalar with a value. */
bool cy_value(const yaml_node_t *n);
/* (n) for "got ...": a quoted scalar shortened to 48 characters (whole
 * UTF-8 characters, non-printable bytes as '?'), or "a mapping", "a
 * sequence", "an empty value". Returns (buf) or a constant. */
const char *cy_echo(const yaml_node_t *n, char *buf, size_t sz);

#endif
