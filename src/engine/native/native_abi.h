// The versions this addon is built for. Their one source is nativeAbi.json beside this file:
// scripts/build-addon.mjs passes them to the compiler, and src/engine/process/nativeAddon.ts imports the
// same file, so the C++ messages, the build check and the run-time check can never disagree.
#pragma once

#ifndef STEER_NODE_LLAMA_CPP_VERSION
#error "STEER_NODE_LLAMA_CPP_VERSION is not defined: build the addon with scripts/build-addon.mjs"
#endif
#ifndef STEER_ADDON_ABI_VERSION
#error "STEER_ADDON_ABI_VERSION is not defined: build the addon with scripts/build-addon.mjs"
#endif
