// Steer's native addon: control vectors and per-layer activation capture on top of the llama.cpp that
// node-llama-cpp loaded. Exports:
//   bind(addonContext) -> {addon, llamaLibrary, ggmlBaseLibrary}   the llama.cpp that context's
//                                                    node-llama-cpp addon uses (bound on first use)
//   boundLibraries() -> [{llamaLibrary, ggmlBaseLibrary, addons}]  every llama.cpp bound so far
//   contextShape(addonContext) -> {nLayer, nEmbd}    validate and describe a node-llama-cpp context
//   setControlVector(addonContext, data|null, ilStart, ilEnd)   steer node-llama-cpp's own context
//   clearSequence(addonContext, sequenceId)          drop a sequence's KV cells
//   generate(addonContext, prompt, options, onTokens) -> {result, cancel}   see generation_worker.h
//   CaptureContext                                   see capture_context.h
//   abiVersion, nodeLlamaCppVersion                  what it was built for (nativeAbi.json)
#include <napi.h>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "capture_context.h"
#include "control_vector.h"
#include "generation_worker.h"
#include "native_abi.h"
#include "node_llama_cpp_access.h"

namespace {

Napi::Value bind(const Napi::CallbackInfo& info) {
	Napi::Env env = info.Env();
	if (info.Length() < 1) throw Napi::TypeError::New(env, "bind(addonContext)");
	const NodeLlamaAddon& addon = nodeLlamaAddonOf(env, info[0]);
	if (addon.symbols == nullptr) throw Napi::Error::New(env, addon.bindError);
	Napi::Object result = Napi::Object::New(env);
	result.Set("addon", addon.path);
	result.Set("llamaLibrary", addon.symbols->llamaLibraryPath);
	result.Set("ggmlBaseLibrary", addon.symbols->ggmlBaseLibraryPath);
	return result;
}

Napi::Value listBoundLibraries(const Napi::CallbackInfo& info) {
	Napi::Env env = info.Env();
	const std::vector<BoundLibrary> libraries = boundLibraries();
	Napi::Array result = Napi::Array::New(env, libraries.size());
	for (size_t i = 0; i < libraries.size(); i++) {
		Napi::Object entry = Napi::Object::New(env);
		entry.Set("llamaLibrary", libraries[i].llamaLibrary);
		entry.Set("ggmlBaseLibrary", libraries[i].ggmlBaseLibrary);
		Napi::Array addons = Napi::Array::New(env, libraries[i].addons.size());
		for (size_t j = 0; j < libraries[i].addons.size(); j++) addons.Set(static_cast<uint32_t>(j), libraries[i].addons[j]);
		entry.Set("addons", addons);
		result.Set(static_cast<uint32_t>(i), entry);
	}
	return result;
}

Napi::Value contextShape(const Napi::CallbackInfo& info) {
	Napi::Env env = info.Env();
	const NodeLlamaContextHandles handles = unwrapNodeLlamaContext(env, info[0]);
	const LlamaSymbols& symbols = *handles.symbols;
	Napi::Object result = Napi::Object::New(env);
	result.Set("nLayer", symbols.model_n_layer(handles.model));
	result.Set("nEmbd", symbols.model_n_embd(handles.model));
	return result;
}

Napi::Value setControlVector(const Napi::CallbackInfo& info) {
	Napi::Env env = info.Env();
	const NodeLlamaContextHandles handles = unwrapNodeLlamaContext(env, info[0]);
	const LlamaSymbols& symbols = *handles.symbols;
	if (generationRunsOn(handles.context)) throw Napi::Error::New(env, "setControlVector: a generation is running on this context");
	applyControlVector(env, symbols, handles.context, symbols.model_n_layer(handles.model), symbols.model_n_embd(handles.model), info, 1);
	return env.Undefined();
}

// clearSequence(addonContext, sequenceId): drops every KV cell of the sequence, including cells Steer's
// generation loop wrote, which node-llama-cpp's own clearHistory() does not know of.
Napi::Value clearSequence(const Napi::CallbackInfo& info) {
	Napi::Env env = info.Env();
	const NodeLlamaContextHandles handles = unwrapNodeLlamaContext(env, info[0]);
	if (info.Length() < 2 || !info[1].IsNumber()) throw Napi::TypeError::New(env, "clearSequence(addonContext, sequenceId)");
	const int32_t sequenceId = info[1].As<Napi::Number>().Int32Value();
	if (sequenceId < 0) throw Napi::RangeError::New(env, "clearSequence: sequenceId must not be negative");
	if (generationRunsOn(handles.context)) throw Napi::Error::New(env, "clearSequence: a generation is running on this context");
	handles.symbols->memory_seq_rm(handles.symbols->get_memory(handles.context), sequenceId, -1, -1);
	return env.Undefined();
}

// tokenize(addonContext, text, parseSpecial) -> Int32Array (no BOS added).
// llama.cpp's tokenizer throws a C++ exception for text its vocabulary cannot represent (an SPM
// vocabulary without byte-fallback tokens meeting an unknown character); node-llama-cpp's own tokenize
// lets that terminate the process. Here it becomes a JavaScript error the engine can handle.
Napi::Value tokenize(const Napi::CallbackInfo& info) {
	Napi::Env env = info.Env();
	const NodeLlamaContextHandles handles = unwrapNodeLlamaContext(env, info[0]);
	const LlamaSymbols& symbols = *handles.symbols;
	if (info.Length() < 3 || !info[1].IsString() || !info[2].IsBoolean()) throw Napi::TypeError::New(env, "tokenize(addonContext, text, parseSpecial)");
	const std::string text = info[1].As<Napi::String>().Utf8Value();
	const bool parseSpecial = info[2].As<Napi::Boolean>().Value();
	if (text.size() > 0x3fffffff) throw Napi::RangeError::New(env, "text too long to tokenize");
	const llama_vocab* vocab = symbols.model_get_vocab(handles.model);
	std::vector<llama_token> tokens(text.size() + 2);
	int32_t count = 0;
	try {
		count = symbols.tokenize(vocab, text.data(), static_cast<int32_t>(text.size()), tokens.data(), static_cast<int32_t>(tokens.size()), false, parseSpecial);
		if (count < 0) {
			tokens.resize(static_cast<size_t>(-count));
			count = symbols.tokenize(vocab, text.data(), static_cast<int32_t>(text.size()), tokens.data(), static_cast<int32_t>(tokens.size()), false, parseSpecial);
		}
	} catch (const std::exception& error) {
		throw Napi::Error::New(env, std::string("the model's tokenizer cannot represent this text (") + error.what() + ")");
	}
	if (count < 0) throw Napi::Error::New(env, "llama_tokenize failed");
	auto result = Napi::Int32Array::New(env, static_cast<size_t>(count));
	std::copy(tokens.begin(), tokens.begin() + count, result.Data());
	return result;
}

Napi::Object init(Napi::Env env, Napi::Object exports) {
	exports.Set("bind", Napi::Function::New(env, bind, "bind"));
	exports.Set("boundLibraries", Napi::Function::New(env, listBoundLibraries, "boundLibraries"));
	exports.Set("contextShape", Napi::Function::New(env, contextShape, "contextShape"));
	exports.Set("setControlVector", Napi::Function::New(env, setControlVector, "setControlVector"));
	exports.Set("tokenize", Napi::Function::New(env, tokenize, "tokenize"));
	exports.Set("clearSequence", Napi::Function::New(env, clearSequence, "clearSequence"));
	exports.Set("generate", Napi::Function::New(env, startGeneration, "generate"));
	exports.Set("CaptureContext", CaptureContext::define(env));
	exports.Set("abiVersion", Napi::Number::New(env, STEER_ADDON_ABI_VERSION));
	exports.Set("nodeLlamaCppVersion", Napi::String::New(env, STEER_NODE_LLAMA_CPP_VERSION));
	return exports;
}

}  // namespace

NODE_API_MODULE(steer_native, init)
