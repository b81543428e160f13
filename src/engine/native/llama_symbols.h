// Resolves the llama.cpp and ggml functions Steer needs from the shared libraries that
// node-llama-cpp has already loaded into this process.
//
// Why not link against llama.cpp at build time: node-llama-cpp ships several prebuilt variants
// (CPU, CUDA, Vulkan, Metal) whose library file names differ, and it picks one at run time. Binding to
// what it loaded means one build of this addon serves every variant, and the model weights and
// contexts we touch are guaranteed to come from the same copy of llama.cpp.
//
// One process can hold more than one variant: node-llama-cpp loads a second llama-addon.node (with its
// own libllama) when a GPU backend fails and it falls back to the CPU, or when getLlama() is called
// with another gpu setting. So symbols are bound per node-llama-cpp addon, to exactly the libraries
// that addon resolves its own llama.cpp calls to, and every object Steer is handed is matched to the
// addon that created it (by its C++ vtable pointer).
#pragma once

#include <string>
#include <vector>

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
	// The generation loop (generation_worker.cpp).
	decltype(&llama_n_batch) n_batch = nullptr;
	decltype(&llama_set_n_threads) set_n_threads = nullptr;
	decltype(&llama_memory_seq_rm) memory_seq_rm = nullptr;
	decltype(&llama_vocab_is_eog) vocab_is_eog = nullptr;
	decltype(&llama_model_n_swa) model_n_swa = nullptr;
	decltype(&llama_model_is_recurrent) model_is_recurrent = nullptr;
	decltype(&llama_model_is_hybrid) model_is_hybrid = nullptr;
	decltype(&llama_sampler_chain_default_params) sampler_chain_default_params = nullptr;
	decltype(&llama_sampler_chain_init) sampler_chain_init = nullptr;
	decltype(&llama_sampler_chain_add) sampler_chain_add = nullptr;
	decltype(&llama_sampler_init_greedy) sampler_init_greedy = nullptr;
	decltype(&llama_sampler_init_top_k) sampler_init_top_k = nullptr;
	decltype(&llama_sampler_init_top_p) sampler_init_top_p = nullptr;
	decltype(&llama_sampler_init_temp) sampler_init_temp = nullptr;
	decltype(&llama_sampler_init_dist) sampler_init_dist = nullptr;
	decltype(&llama_sampler_apply) sampler_apply = nullptr;
	decltype(&llama_sampler_free) sampler_free = nullptr;
	decltype(&ggml_backend_tensor_get) backend_tensor_get = nullptr;

	std::string llamaLibraryPath;
	std::string ggmlBaseLibraryPath;
};

// One loaded node-llama-cpp addon (a llama-addon.node file) and the llama.cpp it uses.
struct NodeLlamaAddon {
	std::string path;
	// The vtable pointer an AddonContext / AddonModel created by this addon starts with.
	const void* contextVtable = nullptr;
	const void* modelVtable = nullptr;
	// Null when this addon's llama.cpp lacks a symbol Steer needs; `bindError` says which.
	const LlamaSymbols* symbols = nullptr;
	std::string bindError;
};

// The node-llama-cpp addon whose vtables `vtablePointer` (the first word of a C++ object) points into,
// bound on first use. Returns null with `error` set when it points into no loaded node-llama-cpp addon.
// Only compares addresses: never reads through `vtablePointer`, never aborts.
const NodeLlamaAddon* nodeLlamaAddonOwning(const void* vtablePointer, std::string& error);

// Every llama.cpp bound so far, with the node-llama-cpp addons that use it.
struct BoundLibrary {
	std::string llamaLibrary;
	std::string ggmlBaseLibrary;
	std::vector<std::string> addons;
};
std::vector<BoundLibrary> boundLibraries();
