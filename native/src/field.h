/* SPDX-License-Identifier: MIT */
/* Fr and Fq: the inline arithmetic of field_arith.h instantiated for both BN254 fields.
 * Internal to the native core; the Python-facing functions are declared in zkcx.h. */
#ifndef ZKCX_FIELD_H
#define ZKCX_FIELD_H

#include <stdint.h>
#include <stddef.h>
#include "constants.h"

typedef unsigned __int128 u128;

#define FIELD fr
#define FIELD_UP FR
#include "field_arith.h"
#undef FIELD
#undef FIELD_UP

#define FIELD fq
#define FIELD_UP FQ
#include "field_arith.h"
#undef FIELD
#undef FIELD_UP

#endif
