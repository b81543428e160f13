#include "capture_worker.h"

#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>

namespace {

// Test hook: STEER_NATIVE_TEST_FAULT=<name> makes the named step fail. "capture-worker" stands in for
// napi_create_async_work or napi_create_promise failing (out of memory), which nothing else provokes.
bool faultRequested(const char* name) {
	const char* fault = std::getenv("STEER_NATIVE_TEST_FAULT");
	return fault != nullptr && std::strcmp(fault, name) == 0;
}

}  // namespace

CaptureWorker::CaptureWorker(Napi::Env env, CaptureContext* owner, CaptureContext::Job job)
	: Napi::AsyncWorker(env, "SteerCapture"), owner(owner), job(std::move(job)), deferred(Napi::Promise::Deferred::New(env)) {
	if (faultRequested("capture-worker")) throw Napi::Error::New(env, "injected fault: the capture worker could not be created");
	owner->Ref(); // last, so that a constructor that throws leaves no reference for the destructor to miss
}

CaptureWorker::~CaptureWorker() { owner->Unref(); }

Napi::Promise CaptureWorker::promise() { return deferred.Promise(); }

void CaptureWorker::Execute() {
	owner->run(job);
	if (!job.error.empty()) SetError(job.error);
}

void CaptureWorker::OnOK() {
	Napi::Env env = Env();
	owner->busy.store(false);
	Napi::Object result = Napi::Object::New(env);
	Napi::Array layers = Napi::Array::New(env, job.layers.size());
	for (size_t slot = 0; slot < job.layers.size(); slot++) {
		const auto& rows = job.rows[slot];
		auto array = Napi::Float32Array::New(env, rows.size());
		std::memcpy(array.Data(), rows.data(), rows.size() * sizeof(float));
		layers.Set(static_cast<uint32_t>(slot), array);
	}
	result.Set("layers", layers);
	if (job.tokenLogProbs) {
		auto array = Napi::Float32Array::New(env, job.logProbs.size());
		std::memcpy(array.Data(), job.logProbs.data(), job.logProbs.size() * sizeof(float));
		result.Set("tokenLogProbs", array);
	}
	if (job.lastLogits) {
		auto array = Napi::Float32Array::New(env, job.logits.size());
		std::memcpy(array.Data(), job.logits.data(), job.logits.size() * sizeof(float));
		result.Set("lastLogits", array);
	}
	deferred.Resolve(result);
}

void CaptureWorker::OnError(const Napi::Error& error) {
	owner->busy.store(false);
	deferred.Reject(error.Value());
}
