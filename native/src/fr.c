/* SPDX-License-Identifier: MIT */
/* Exported Fr (scalar field) functions: zkcx_fr_*. */
#include "field.h"
#define FIELD fr
#define FIELD_UP FR
#include "field_api.h"
