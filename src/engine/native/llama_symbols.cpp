#include "llama_symbols.h"

#include "native_abi.h"

#include <cstring>
#include <vector>

#if defined(__linux__)
#include <dlfcn.h>
#include <link.h>
#elif defined(__APPLE__)
#include <dlfcn.h>
#include <mach-o/dyld.h>
#endif

namespace {

// True when the file name of `path` starts with `prefix` (e.g. "libllama" matches
// ".../libllama.v0.4.0.so" and ".../libllama.cuda.v0.4.0.so" but not ".../libllama-common.so").
bool fileNameMatches(const std::string& path, const char* prefix) {
	const auto slash = path.find_last_of("/\\");
	const std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
	const size_t prefixLength = std::strlen(prefix);
	if (name.compare(0, prefixLength, prefix) != 0) return false;
	const char next = name.size() > prefixLength ? name[prefixLength] : '\0';
	return next == '.' || next == '\0';
}

std::vector<std::string> loadedLibraryPaths() {
	std::vector<std::string> paths;
#if defined(__linux__)
	dl_iterate_phdr(
		[](struct dl_phdr_info* info, size_t, void* data) -> int {
			if (info->dlpi_name != nullptr && info->dlpi_name[0] != '\0')
				static_cast<std::vector<std::string>*>(data)->emplace_back(info->dlpi_name);
			return 0;
		},
		&paths);
#elif defined(__APPLE__)
	const uint32_t count = _dyld_image_count();
	for (uint32_t i = 0; i < count; i++) {
		const char* name = _dyld_get_image_name(i);
		if (name != nullptr) paths.emplace_back(name);
	}
#endif
	return paths;
}

std::string findLoaded(const std::vector<std::string>& paths, const char* prefix) {
	for (const auto& path : paths)
		if (fileNameMatches(path, prefix)) return path;
	return "";
}

template <typename T>
bool resolve(void* handle, const char* name, T& target, std::string& missing) {
	target = reinterpret_cast<T>(dlsym(handle, name));
	if (target == nullptr) {
		if (!missing.empty()) missing += ", ";
		missing += name;
		return false;
	}
	return true;
}

}  // namespace

bool resolveLlamaSymbols(LlamaSymbols& symbols, std::string& error) {
#if defined(__linux__) || defined(__APPLE__)
	const auto paths = loadedLibraryPaths();
	symbols.llamaLibraryPath = findLoaded(paths, "libllama");
	symbols.ggmlBaseLibraryPath = findLoaded(paths, "libggml-base");
	if (symbols.llamaLibraryPath.empty() || symbols.ggmlBaseLibraryPath.empty()) {
		error = "node-llama-cpp's libllama/libggml-base are not loaded in this process; load a model with node-llama-cpp before using Steer's native steering";
		return false;
	}
	// RTLD_NOLOAD: take a handle on the copy already mapped; never load a second copy.
	void* llama = dlopen(symbols.llamaLibraryPath.c_str(), RTLD_NOW | RTLD_NOLOAD);
	void* ggmlBase = dlopen(symbols.ggmlBaseLibraryPath.c_str(), RTLD_NOW | RTLD_NOLOAD);
	if (llama == nullptr || ggmlBase == nullptr) {
		error = "could not open the loaded llama.cpp libraries: " + std::string(dlerror() ? dlerror() : "unknown error");
		return false;
	}
	std::string missing;
	resolve(llama, "llama_get_model", symbols.get_model, missing);
	resolve(llama, "llama_model_n_layer", symbols.model_n_layer, missing);
	resolve(llama, "llama_model_n_embd", symbols.model_n_embd, missing);
	resolve(llama, "llama_set_adapter_cvec", symbols.set_adapter_cvec, missing);
	resolve(llama, "llama_context_default_params", symbols.context_default_params, missing);
	resolve(llama, "llama_init_from_model", symbols.init_from_model, missing);
	resolve(llama, "llama_free", symbols.free_context, missing);
	resolve(llama, "llama_decode", symbols.decode, missing);
	resolve(llama, "llama_batch_init", symbols.batch_init, missing);
	resolve(llama, "llama_batch_free", symbols.batch_free, missing);
	resolve(llama, "llama_get_memory", symbols.get_memory, missing);
	resolve(llama, "llama_memory_clear", symbols.memory_clear, missing);
	resolve(llama, "llama_get_logits_ith", symbols.get_logits_ith, missing);
	resolve(llama, "llama_n_ctx", symbols.n_ctx, missing);
	resolve(llama, "llama_model_get_vocab", symbols.model_get_vocab, missing);
	resolve(llama, "llama_vocab_n_tokens", symbols.vocab_n_tokens, missing);
	resolve(llama, "llama_tokenize", symbols.tokenize, missing);
	resolve(ggmlBase, "ggml_backend_tensor_get", symbols.backend_tensor_get, missing);
	if (!missing.empty()) {
		error = "the loaded llama.cpp (" + symbols.llamaLibraryPath + ") lacks: " + missing +
			". This build of Steer expects the llama.cpp release bundled with node-llama-cpp " STEER_NODE_LLAMA_CPP_VERSION;
		return false;
	}
	return true;
#else
	error = "Steer's native steering supports Linux and macOS only";
	return false;
#endif
}
