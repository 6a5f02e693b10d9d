#ifndef HANDOFF_CXXHASH_SHIM_H
#define HANDOFF_CXXHASH_SHIM_H

#include <xxhash.h>

#endif
