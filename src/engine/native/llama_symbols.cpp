#include "llama_symbols.h"

#include <map>
#include <memory>
#include <mutex>

#include <dlfcn.h>

#include "native_abi.h"

namespace {

// dlerror() hands out its message once and returns NULL afterwards: read it exactly once.
std::string takeDlError() {
	const char* message = dlerror();
	return message != nullptr ? std::string(message) : std::string("unknown error");
}

template <typename T>
void resolve(void* handle, const char* name, T& target, std::string& missing) {
	target = reinterpret_cast<T>(dlsym(handle, name));
	if (target == nullptr) {
		if (!missing.empty()) missing += ", ";
		missing += name;
	}
}

// The file of the loaded library that contains `address`, or "" when none does.
std::string libraryContaining(const void* address) {
	Dl_info info{};
	if (dladdr(address, &info) == 0 || info.dli_fname == nullptr) return "";
	return info.dli_fname;
}

// The address an object's vtable pointer holds for the vtable symbol at `vtable`: the Itanium C++ ABI
// (GCC and Clang on Linux and macOS) puts the offset-to-top and the type_info pointer before it.
const void* addressPoint(const void* vtable) {
	return static_cast<const char*>(vtable) + 2 * sizeof(void*);
}

std::mutex tableMutex;
// Bound symbol sets, one per (libllama, libggml-base) pair; entries are never removed, so pointers to
// them stay valid for the life of the process (as do the libraries: we hold a handle on each addon).
std::map<std::string, std::unique_ptr<LlamaSymbols>> symbolSets;
// Loaded node-llama-cpp addons by load address.
std::map<const void*, std::unique_ptr<NodeLlamaAddon>> addons;

// Resolves every symbol through `handle`: dlsym on an addon's handle searches the addon and its own
// dependencies, so it finds the very functions that addon calls, whatever else is loaded.
const LlamaSymbols* bindSymbols(void* handle, const std::string& addonPath, std::string& error) {
	LlamaSymbols symbols;
	std::string missing;
	resolve(handle, "llama_get_model", symbols.get_model, missing);
	resolve(handle, "llama_model_n_layer", symbols.model_n_layer, missing);
	resolve(handle, "llama_model_n_embd", symbols.model_n_embd, missing);
	resolve(handle, "llama_set_adapter_cvec", symbols.set_adapter_cvec, missing);
	resolve(handle, "llama_context_default_params", symbols.context_default_params, missing);
	resolve(handle, "llama_init_from_model", symbols.init_from_model, missing);
	resolve(handle, "llama_free", symbols.free_context, missing);
	resolve(handle, "llama_decode", symbols.decode, missing);
	resolve(handle, "llama_batch_init", symbols.batch_init, missing);
	resolve(handle, "llama_batch_free", symbols.batch_free, missing);
	resolve(handle, "llama_get_memory", symbols.get_memory, missing);
	resolve(handle, "llama_memory_clear", symbols.memory_clear, missing);
	resolve(handle, "llama_get_logits_ith", symbols.get_logits_ith, missing);
	resolve(handle, "llama_n_ctx", symbols.n_ctx, missing);
	resolve(handle, "llama_model_get_vocab", symbols.model_get_vocab, missing);
	resolve(handle, "llama_vocab_n_tokens", symbols.vocab_n_tokens, missing);
	resolve(handle, "llama_tokenize", symbols.tokenize, missing);
	resolve(handle, "llama_n_batch", symbols.n_batch, missing);
	resolve(handle, "llama_set_n_threads", symbols.set_n_threads, missing);
	resolve(handle, "llama_memory_seq_rm", symbols.memory_seq_rm, missing);
	resolve(handle, "llama_vocab_is_eog", symbols.vocab_is_eog, missing);
	resolve(handle, "llama_model_n_swa", symbols.model_n_swa, missing);
	resolve(handle, "llama_model_is_recurrent", symbols.model_is_recurrent, missing);
	resolve(handle, "llama_model_is_hybrid", symbols.model_is_hybrid, missing);
	resolve(handle, "llama_sampler_chain_default_params", symbols.sampler_chain_default_params, missing);
	resolve(handle, "llama_sampler_chain_init", symbols.sampler_chain_init, missing);
	resolve(handle, "llama_sampler_chain_add", symbols.sampler_chain_add, missing);
	resolve(handle, "llama_sampler_init_greedy", symbols.sampler_init_greedy, missing);
	resolve(handle, "llama_sampler_init_top_k", symbols.sampler_init_top_k, missing);
	resolve(handle, "llama_sampler_init_top_p", symbols.sampler_init_top_p, missing);
	resolve(handle, "llama_sampler_init_temp", symbols.sampler_init_temp, missing);
	resolve(handle, "llama_sampler_init_dist", symbols.sampler_init_dist, missing);
	resolve(handle, "llama_sampler_apply", symbols.sampler_apply, missing);
	resolve(handle, "llama_sampler_free", symbols.sampler_free, missing);
	resolve(handle, "ggml_backend_tensor_get", symbols.backend_tensor_get, missing);
	if (!missing.empty()) {
		error = "the llama.cpp that node-llama-cpp's addon " + addonPath + " uses lacks: " + missing +
			". This build of Steer expects the llama.cpp release bundled with node-llama-cpp " STEER_NODE_LLAMA_CPP_VERSION;
		return nullptr;
	}
	symbols.llamaLibraryPath = libraryContaining(reinterpret_cast<const void*>(symbols.get_model));
	symbols.ggmlBaseLibraryPath = libraryContaining(reinterpret_cast<const void*>(symbols.backend_tensor_get));
	auto& slot = symbolSets[symbols.llamaLibraryPath + '\n' + symbols.ggmlBaseLibraryPath];
	if (!slot) slot = std::make_unique<LlamaSymbols>(std::move(symbols));
	return slot.get();
}

}  // namespace

const NodeLlamaAddon* nodeLlamaAddonOwning(const void* vtablePointer, std::string& error) {
	Dl_info info{};
	if (vtablePointer == nullptr || dladdr(vtablePointer, &info) == 0 || info.dli_fname == nullptr || info.dli_fbase == nullptr) {
		error = "its vtable pointer lies in no loaded library";
		return nullptr;
	}
	std::lock_guard<std::mutex> lock(tableMutex);
	const auto known = addons.find(info.dli_fbase);
	if (known != addons.end()) return known->second.get();

	const std::string path = info.dli_fname;
	// RTLD_NOLOAD: a handle on the copy already mapped, never a second copy. Kept open for good, so the
	// library and the symbols bound from it cannot go away.
	void* handle = dlopen(path.c_str(), RTLD_LAZY | RTLD_NOLOAD);
	if (handle == nullptr) {
		error = "it was made by " + path + ", which cannot be reopened: " + takeDlError();
		return nullptr;
	}
	dlerror();
	const void* contextVtable = dlsym(handle, "_ZTV12AddonContext"); // vtable for AddonContext
	const void* modelVtable = contextVtable != nullptr ? dlsym(handle, "_ZTV10AddonModel") : nullptr;
	if (contextVtable == nullptr || modelVtable == nullptr || libraryContaining(contextVtable) != path) {
		const std::string reason = contextVtable == nullptr || modelVtable == nullptr ? takeDlError() : "its AddonContext is another library's";
		dlclose(handle);
		error = "it was made by " + path + ", which is not node-llama-cpp's addon (" + reason + ")";
		return nullptr;
	}
	auto addon = std::make_unique<NodeLlamaAddon>();
	addon->path = path;
	addon->contextVtable = addressPoint(contextVtable);
	addon->modelVtable = addressPoint(modelVtable);
	addon->symbols = bindSymbols(handle, path, addon->bindError);
	const NodeLlamaAddon* result = addon.get();
	addons.emplace(info.dli_fbase, std::move(addon));
	return result;
}

std::vector<BoundLibrary> boundLibraries() {
	std::lock_guard<std::mutex> lock(tableMutex);
	std::vector<BoundLibrary> result;
	for (const auto& entry : symbolSets) {
		BoundLibrary library{entry.second->llamaLibraryPath, entry.second->ggmlBaseLibraryPath, {}};
		for (const auto& addon : addons)
			if (addon.second->symbols == entry.second.get()) library.addons.push_back(addon.second->path);
		result.push_back(std::move(library));
	}
	return result;
}
