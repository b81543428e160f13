// The process-wide binding to node-llama-cpp's loaded llama.cpp, made once by `bind()`.
#pragma once

#include <napi.h>

#include "llama_symbols.h"

// Returns the resolved symbols, or throws a JavaScript error when `bind()` has not succeeded yet.
const LlamaSymbols& requireBoundSymbols(Napi::Env env);
