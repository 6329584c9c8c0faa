/* SPDX-License-Identifier: MIT */
/* Exported Fq (base field) functions: zkcx_fq_*. */
#include "field.h"
#define FIELD fq
#define FIELD_UP FQ
#include "field_api.h"
