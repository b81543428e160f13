// Reaches the llama.cpp objects behind node-llama-cpp's JavaScript objects.
//
// node-llama-cpp exposes no hook for control vectors or per-layer activations, so Steer unwraps its
// internal native context object and reads the llama_context / llama_model pointers through the
// class layout in node-llama-cpp's own shipped headers. That layout is an internal detail: the object's
// class is checked by its vtable, every field is copied without trusting its address and validated
// before anything is read through it (the context's model must be an AddonModel, and llama.cpp must
// agree that the context belongs to that model), and a mismatch is reported as an error, never a crash.
#pragma once

#include <napi.h>

#include "llama_symbols.h"

struct NodeLlamaContextHandles {
	llama_context* context = nullptr;
	const llama_model* model = nullptr;
	// The llama.cpp of the node-llama-cpp addon that created the context.
	const LlamaSymbols* symbols = nullptr;
	// node-llama-cpp's AddonModel that owns `model` (validated; opaque outside this file).
	const void* addonModel = nullptr;
};

// The node-llama-cpp addon that created `addonContext` (node-llama-cpp's internal `LlamaContext._ctx`),
// identified by the object's C++ vtable. Throws a JavaScript error when it is not an AddonContext.
const NodeLlamaAddon& nodeLlamaAddonOf(Napi::Env env, Napi::Value addonContext);

// Throws a JavaScript error (never crashes on a well-formed but foreign object) when `addonContext` is
// not a live node-llama-cpp context with the expected layout, or its llama.cpp cannot be bound.
NodeLlamaContextHandles unwrapNodeLlamaContext(Napi::Env env, Napi::Value addonContext);

// True while node-llama-cpp's AddonModel `addonModel` still holds the loaded `model`: it drops the pointer
// when it frees the weights. The AddonModel object itself must still be alive.
bool nodeLlamaModelHolds(const void* addonModel, const llama_model* model);

// `value` (node-llama-cpp's LlamaModel, or its internal AddonModel object) as the JavaScript AddonModel
// object, when that is `addonModel`; an empty object otherwise.
Napi::Object nodeLlamaModelObject(Napi::Env env, Napi::Value value, const void* addonModel);
