#include "node_llama_cpp_access.h"

#include "AddonContext.h"
#include "AddonModel.h"
#include "native_abi.h"

NodeLlamaContextHandles unwrapNodeLlamaContext(Napi::Env env, const LlamaSymbols& symbols, Napi::Value addonContext) {
	if (!addonContext.IsObject())
		throw Napi::TypeError::New(env, "expected node-llama-cpp's native context object");
	// napi_unwrap succeeds on any wrapped object, including other classes of other addons; only an
	// instance of node-llama-cpp's AddonContext class may be cast to AddonContext.
	const Napi::Value constructor = addonContext.As<Napi::Object>().Get("constructor");
	if (!constructor.IsFunction() ||
		constructor.As<Napi::Function>().Get("name").ToString().Utf8Value() != "AddonContext")
		throw Napi::TypeError::New(env, "the object is not node-llama-cpp's AddonContext");
	void* wrapped = nullptr;
	if (napi_unwrap(env, addonContext, &wrapped) != napi_ok || wrapped == nullptr)
		throw Napi::TypeError::New(env, "the object is not a native node-llama-cpp context");

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
	return {context->ctx, model};
}
