// Steer's native addon: control vectors and per-layer activation capture on top of the llama.cpp that
// node-llama-cpp loaded. Exports:
//   bind() -> {llamaLibrary, ggmlBaseLibrary}        resolve llama.cpp symbols (after a model is loaded)
//   contextShape(addonContext) -> {nLayer, nEmbd}    validate and describe a node-llama-cpp context
//   setControlVector(addonContext, data|null, ilStart, ilEnd)   steer node-llama-cpp's own context
//   CaptureContext                                   see capture_context.h
#include <napi.h>

#include "bound_symbols.h"
#include "capture_context.h"
#include "control_vector.h"
#include "node_llama_cpp_access.h"

namespace {

LlamaSymbols boundSymbols;
bool symbolsBound = false;

Napi::Value bind(const Napi::CallbackInfo& info) {
	Napi::Env env = info.Env();
	if (!symbolsBound) {
		std::string error;
		if (!resolveLlamaSymbols(boundSymbols, error)) throw Napi::Error::New(env, error);
		symbolsBound = true;
	}
	Napi::Object result = Napi::Object::New(env);
	result.Set("llamaLibrary", boundSymbols.llamaLibraryPath);
	result.Set("ggmlBaseLibrary", boundSymbols.ggmlBaseLibraryPath);
	return result;
}

Napi::Value contextShape(const Napi::CallbackInfo& info) {
	Napi::Env env = info.Env();
	const LlamaSymbols& symbols = requireBoundSymbols(env);
	const NodeLlamaContextHandles handles = unwrapNodeLlamaContext(env, symbols, info[0]);
	Napi::Object result = Napi::Object::New(env);
	result.Set("nLayer", symbols.model_n_layer(handles.model));
	result.Set("nEmbd", symbols.model_n_embd(handles.model));
	return result;
}

Napi::Value setControlVector(const Napi::CallbackInfo& info) {
	Napi::Env env = info.Env();
	const LlamaSymbols& symbols = requireBoundSymbols(env);
	const NodeLlamaContextHandles handles = unwrapNodeLlamaContext(env, symbols, info[0]);
	applyControlVector(env, symbols, handles.context, symbols.model_n_layer(handles.model), symbols.model_n_embd(handles.model), info, 1);
	return env.Undefined();
}

Napi::Object init(Napi::Env env, Napi::Object exports) {
	exports.Set("bind", Napi::Function::New(env, bind, "bind"));
	exports.Set("contextShape", Napi::Function::New(env, contextShape, "contextShape"));
	exports.Set("setControlVector", Napi::Function::New(env, setControlVector, "setControlVector"));
	exports.Set("CaptureContext", CaptureContext::define(env));
	exports.Set("abiVersion", Napi::Number::New(env, 1));
	return exports;
}

}  // namespace

const LlamaSymbols& requireBoundSymbols(Napi::Env env) {
	if (!symbolsBound) throw Napi::Error::New(env, "Steer's native addon is not bound to llama.cpp yet; call bind() after loading a model");
	return boundSymbols;
}

NODE_API_MODULE(steer_native, init)
