// Resolves the llama.cpp and ggml functions Steer needs from the shared libraries that
// node-llama-cpp has already loaded into this process.
//
// Why not link against llama.cpp at build time: node-llama-cpp ships several prebuilt variants
// (CPU, CUDA, Vulkan, Metal) whose library file names differ, and it picks one at run time. Binding to
// whatever it loaded means one build of this addon serves every variant, and the model weights and
// contexts we touch are guaranteed to come from the same copy of llama.cpp.
#pragma once

#include <string>

#include "llama.h"
#include "ggml-backend.h"

struct LlamaSymbols {
	decltype(&llama_get_model) get_model = nullptr;
	decltype(&llama_model_n_layer) model_n_layer = nullptr;
	decltype(&llama_model_n_embd) model_n_embd = nullptr;
	decltype(&llama_set_adapter_cvec) set_adapter_cvec = nullptr;
	decltype(&llama_context_default_params) context_default_params = nullptr;
	decltype(&llama_init_from_model) init_from_model = nullptr;
	decltype(&llama_free) free_context = nullptr;
	decltype(&llama_decode) decode = nullptr;
	decltype(&llama_batch_init) batch_init = nullptr;
	decltype(&llama_batch_free) batch_free = nullptr;
	decltype(&llama_get_memory) get_memory = nullptr;
	decltype(&llama_memory_clear) memory_clear = nullptr;
	decltype(&llama_get_logits_ith) get_logits_ith = nullptr;
	decltype(&llama_n_ctx) n_ctx = nullptr;
	decltype(&llama_model_get_vocab) model_get_vocab = nullptr;
	decltype(&llama_vocab_n_tokens) vocab_n_tokens = nullptr;
	decltype(&llama_tokenize) tokenize = nullptr;
	decltype(&ggml_backend_tensor_get) backend_tensor_get = nullptr;

	std::string llamaLibraryPath;
	std::string ggmlBaseLibraryPath;
};

// Finds the loaded libraries and resolves every symbol. On failure returns false and sets `error` to a
// message that names what is missing; never aborts the process.
bool resolveLlamaSymbols(LlamaSymbols& symbols, std::string& error);
