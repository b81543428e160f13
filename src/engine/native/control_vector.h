// Applies (or clears) a control vector on a llama_context with llama.cpp's llama_set_adapter_cvec.
#pragma once

#include <napi.h>

#include "llama_symbols.h"

// Reads (data: Float32Array | null, ilStart, ilEnd) from info[firstArgument...]. `data` holds
// (nLayer - 1) * nEmbd floats, row 0 being block 1: llama.cpp cannot steer block 0. null clears.
// Must only be called while no decode runs on `context`.
void applyControlVector(Napi::Env env, const LlamaSymbols& symbols, llama_context* context, int32_t nLayer,
	int32_t nEmbd, const Napi::CallbackInfo& info, size_t firstArgument);
