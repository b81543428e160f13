#include "node_llama_cpp_access.h"

#include <cstdint>
#include <string>

#include "AddonContext.h"
#include "AddonModel.h"
#include "native_abi.h"
#include "safe_memory.h"

namespace {

bool pointerAligned(const void* address) {
	return reinterpret_cast<uintptr_t>(address) % alignof(void*) == 0;
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

	// node-addon-api stores the ObjectWrap<T>* it wrapped; AddonContext derives from it first.
	auto* context = static_cast<AddonContext*>(static_cast<Napi::ObjectWrap<AddonContext>*>(wrapped));
	if (context->disposed || !context->contextLoaded || context->ctx == nullptr || context->model == nullptr)
		throw Napi::Error::New(env, "the node-llama-cpp context is not loaded or was disposed");
	if (context->model->model == nullptr || context->model->disposed)
		throw Napi::Error::New(env, "the node-llama-cpp model is not loaded or was disposed");

	const llama_model* model = symbols.get_model(context->ctx);
	if (model != context->model->model)
		throw Napi::Error::New(env,
			"node-llama-cpp's internal layout does not match the one Steer was built for "
			"(context/model pointers disagree); reinstall node-llama-cpp " STEER_NODE_LLAMA_CPP_VERSION " exactly and rebuild Steer's native addon");
	return {context->ctx, model, &symbols};
}
