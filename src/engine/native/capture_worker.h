// Runs one capture job off the JavaScript thread and settles a promise with its result: the kept rows
// of every requested layer, and the log-probabilities and logits when they were asked for.
//
// The worker holds a reference to its CaptureContext and clears the context's `busy` flag when it
// settles, so the context can neither be collected nor disposed while a job runs on it.
#pragma once

#include <napi.h>

#include "capture_context.h"

class CaptureWorker : public Napi::AsyncWorker {
public:
	CaptureWorker(Napi::Env env, CaptureContext* owner, CaptureContext::Job job);
	~CaptureWorker() override;

	Napi::Promise promise();

	void Execute() override;
	void OnOK() override;
	void OnError(const Napi::Error& error) override;

private:
	CaptureContext* owner;
	CaptureContext::Job job;
	Napi::Promise::Deferred deferred;
};
