#include "node_llama_cpp_access.h"

#include <cstdint>
#include <string>

#include "AddonContext.h"
#include "AddonModel.h"
#include "native_abi.h"
#include "safe_memory.h"

namespace {

constexpr size_t kLlamaContextProbeBytes = 64;

bool pointerAligned(const void* address) {
	return address != nullptr && reinterpret_cast<uintptr_t>(address) % alignof(void*) == 0;
}

// A C++ bool read as the byte it is stored in: anything but 0 or 1 means the layout is not the expected one.
bool readFlag(const bool* field, bool& value) {
	unsigned char byte = 2;
	if (!readValue(field, byte) || byte > 1) return false;
	value = byte == 1;
	return true;
}

[[noreturn]] void layoutMismatch(Napi::Env env, const std::string& detail) {
	throw Napi::Error::New(env, "node-llama-cpp's internal layout does not match the one Steer was built for (" + detail +
		"); reinstall node-llama-cpp " STEER_NODE_LLAMA_CPP_VERSION " exactly and rebuild Steer's native addon");
}

}  // namespace

const NodeLlamaAddon& nodeLlamaAddonOf(Napi::Env env, Napi::Value addonContext) {
	if (!addonContext.IsObject())
		throw Napi::TypeError::New(env, "expected node-llama-cpp's native context object");
	// napi_unwrap succeeds on any wrapped object, including other classes of other addons. What it
	// wrapped is checked by its vtable pointer, read without trusting the address, against the vtable
	// of AddonContext in the node-llama-cpp addon it points into.
	void* wrapped = nullptr;
	if (napi_unwrap(env, addonContext, &wrapped) != napi_ok || wrapped == nullptr)
		throw Napi::TypeError::New(env, "the object is not node-llama-cpp's AddonContext (it wraps no native object)");
	const void* vtablePointer = nullptr;
	if (!pointerAligned(wrapped) || !readValue(wrapped, vtablePointer))
		throw Napi::TypeError::New(env, "the object is not node-llama-cpp's AddonContext (its native object cannot be read)");
	std::string error;
	const NodeLlamaAddon* addon = nodeLlamaAddonOwning(vtablePointer, error);
	if (addon == nullptr) throw Napi::TypeError::New(env, "the object is not node-llama-cpp's AddonContext (" + error + ")");
	if (vtablePointer != addon->contextVtable)
		throw Napi::TypeError::New(env, std::string("the object is not node-llama-cpp's AddonContext") +
			(vtablePointer == addon->modelVtable ? " (it is its AddonModel)" : " (it is another class of " + addon->path + ")"));
	return *addon;
}

NodeLlamaContextHandles unwrapNodeLlamaContext(Napi::Env env, Napi::Value addonContext) {
	const NodeLlamaAddon& addon = nodeLlamaAddonOf(env, addonContext);
	if (addon.symbols == nullptr) throw Napi::Error::New(env, addon.bindError);
	const LlamaSymbols& symbols = *addon.symbols;
	void* wrapped = nullptr;
	napi_unwrap(env, addonContext, &wrapped);

	// The object is an AddonContext, but its fields are read through the layout of the headers Steer was
	// built with. Nothing read through that layout is dereferenced before it is checked against a
	// value obtained independently: each field is copied with readValue (an unmapped address is an
	// error, not a fault), flags must be 0 or 1, the model pointer must lead to an object whose vtable
	// is this addon's AddonModel, and the llama_context must be readable and belong to that model.
	// node-addon-api stores the ObjectWrap<T>* it wrapped; AddonContext derives from it first.
	const auto* context = static_cast<const AddonContext*>(static_cast<const Napi::ObjectWrap<AddonContext>*>(wrapped));
	bool disposed = false;
	bool loaded = false;
	AddonModel* addonModel = nullptr;
	llama_context* ctx = nullptr;
	if (!readFlag(&context->disposed, disposed) || !readFlag(&context->contextLoaded, loaded) ||
		!readValue(&context->model, addonModel) || !readValue(&context->ctx, ctx))
		layoutMismatch(env, "the context's fields cannot be read as such");
	if (disposed || !loaded || ctx == nullptr)
		throw Napi::Error::New(env, "the node-llama-cpp context is not loaded or was disposed");

	const void* modelVtable = nullptr;
	if (!pointerAligned(addonModel) || !readValue(addonModel, modelVtable) || modelVtable != addon.modelVtable)
		layoutMismatch(env, "the context's model field does not point to node-llama-cpp's AddonModel");
	llama_model* model = nullptr;
	bool modelDisposed = false;
	if (!readValue(&addonModel->model, model) || !readFlag(&addonModel->disposed, modelDisposed))
		layoutMismatch(env, "the model's fields cannot be read as such");
	if (model == nullptr || modelDisposed)
		throw Napi::Error::New(env, "the node-llama-cpp model is not loaded or was disposed");

	// llama_get_model reads the model reference llama_context stores first; a real llama_context is
	// far larger than the bytes probed here.
	if (!pointerAligned(ctx) || !pointerAligned(model) || !isReadable(ctx, kLlamaContextProbeBytes))
		layoutMismatch(env, "the context's llama_context field is not a readable pointer");
	if (symbols.get_model(ctx) != model)
		layoutMismatch(env, "context/model pointers disagree");
	return {ctx, model, &symbols, addonModel};
}

bool nodeLlamaModelHolds(const void* addonModel, const llama_model* model) {
	if (addonModel == nullptr || model == nullptr) return false;
	const auto* object = static_cast<const AddonModel*>(addonModel);
	llama_model* current = nullptr;
	bool disposed = true;
	return readValue(&object->model, current) && readFlag(&object->disposed, disposed) && !disposed && current == model;
}

Napi::Object nodeLlamaModelObject(Napi::Env env, Napi::Value value, const void* addonModel) {
	// node-llama-cpp's LlamaModel keeps its AddonModel in `_model`; the AddonModel itself is accepted too.
	Napi::Value candidate = value;
	if (value.IsObject() && value.As<Napi::Object>().Has("_model")) candidate = value.As<Napi::Object>().Get("_model");
	void* wrapped = nullptr;
	if (!candidate.IsObject() || napi_unwrap(env, candidate, &wrapped) != napi_ok || wrapped == nullptr) return Napi::Object();
	const auto* model = static_cast<const AddonModel*>(static_cast<const Napi::ObjectWrap<AddonModel>*>(wrapped));
	return static_cast<const void*>(model) == addonModel ? candidate.As<Napi::Object>() : Napi::Object();
}
