#include "control_vector.h"

#include <cmath>
#include <string>

void applyControlVector(Napi::Env env, const LlamaSymbols& symbols, llama_context* context, int32_t nLayer,
	int32_t nEmbd, const Napi::CallbackInfo& info, size_t firstArgument) {
	if (info.Length() < firstArgument + 1) throw Napi::TypeError::New(env, "expected (data: Float32Array | null, ilStart, ilEnd)");
	const Napi::Value dataValue = info[firstArgument];
	if (dataValue.IsNull() || dataValue.IsUndefined()) {
		const int32_t status = symbols.set_adapter_cvec(context, nullptr, 0, nEmbd, 0, 0);
		if (status != 0) throw Napi::Error::New(env, "llama.cpp refused to clear the control vector (status " + std::to_string(status) + ")");
		return;
	}
	if (!dataValue.IsTypedArray() || dataValue.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
		throw Napi::TypeError::New(env, "control vector data must be a Float32Array");
	const Napi::Float32Array data = dataValue.As<Napi::Float32Array>();
	const size_t expected = static_cast<size_t>(nLayer - 1) * static_cast<size_t>(nEmbd);
	if (data.ElementLength() != expected)
		throw Napi::RangeError::New(env, "control vector data has " + std::to_string(data.ElementLength()) + " floats; this model needs (" +
			std::to_string(nLayer) + " - 1 layers) x " + std::to_string(nEmbd) + " = " + std::to_string(expected));
	for (size_t i = 0; i < data.ElementLength(); i++)
		if (!std::isfinite(data[i])) throw Napi::RangeError::New(env, "control vector data contains a non-finite value");
	if (info.Length() < firstArgument + 3 || !info[firstArgument + 1].IsNumber() || !info[firstArgument + 2].IsNumber())
		throw Napi::TypeError::New(env, "expected ilStart and ilEnd numbers");
	const int32_t ilStart = info[firstArgument + 1].As<Napi::Number>().Int32Value();
	const int32_t ilEnd = info[firstArgument + 2].As<Napi::Number>().Int32Value();
	if (ilStart < 1 || ilEnd >= nLayer || ilStart > ilEnd)
		throw Napi::RangeError::New(env, "control vector layer range " + std::to_string(ilStart) + ".." + std::to_string(ilEnd) +
			" must lie within 1.." + std::to_string(nLayer - 1) + " (block 0 cannot be steered)");
	const int32_t status = symbols.set_adapter_cvec(context, data.Data(), data.ElementLength(), nEmbd, ilStart, ilEnd);
	if (status != 0) throw Napi::Error::New(env, "llama.cpp refused the control vector (status " + std::to_string(status) + ")");
}
