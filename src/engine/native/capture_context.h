// A private llama_context that shares node-llama-cpp's loaded weights and records the output of every
// transformer block (llama.cpp's `l_out-N` tensors) while it evaluates a text.
//
// Why a second context: the eval callback forces a synchronisation at every recorded tensor, which
// must never slow down node-llama-cpp's generation context. Sharing the llama_model costs only this
// context's KV cache and compute buffers.
#pragma once

#include <atomic>
#include <mutex>
#include <vector>

#include <napi.h>

#include "llama_symbols.h"

class CaptureContext : public Napi::ObjectWrap<CaptureContext> {
public:
	static Napi::Function define(Napi::Env env);

	explicit CaptureContext(const Napi::CallbackInfo& info);
	~CaptureContext() override;

	// A control vector applied from position `from` on, until the next segment's `from`.
	struct SteeringSegment {
		int32_t from = 0;
		std::vector<float> data; // (nLayer - 1) x nEmbd, as llama_set_adapter_cvec takes it
	};

	// Everything a capture run needs; lives on the worker thread for one text.
	struct Job {
		std::vector<int32_t> tokens;
		std::vector<int32_t> layers;      // requested layers, in the caller's order
		std::vector<int32_t> slotOfLayer; // layer -> index into `layers`, or -1
		int32_t start = 0;                // first position kept (inclusive)
		int32_t end = 0;                  // last position kept (exclusive)
		bool mean = false;                // reduce kept rows to their mean
		bool tokenLogProbs = false;       // log p(token[i+1] | tokens[..i])
		bool lastLogits = false;          // full logits of the last position
		int32_t stopAfterLayer = -1;      // stop the forward pass after this block (-1: run it all)
		int32_t chunkOffset = 0;          // position of the current ubatch's first row
		int32_t chunkRows = 0;            // rows in the current ubatch
		int32_t chunkOutputs = 0;         // rows marked as outputs in the current ubatch
		int32_t chunkFirstOutput = -1;    // position of the first output row
		int32_t nEmbd = 0;
		// Steering placed by position: empty means the context's own control vector at every position.
		// Every segment spans blocks [segmentLayerStart, segmentLayerEnd]; the context's control vector
		// is left as the last segment's, so the caller must set it again before relying on it.
		std::vector<SteeringSegment> segments;
		int32_t segmentLayerStart = 0;
		int32_t segmentLayerEnd = 0;
		std::vector<std::vector<float>> rows;     // per requested layer: kept rows, or the mean
		std::vector<std::vector<double>> sums;    // per requested layer, when mean
		std::vector<float> logProbs;
		std::vector<float> logits;
		std::string error;
	};

	const LlamaSymbols* symbols = nullptr;
	llama_context* context = nullptr;
	const llama_model* model = nullptr;
	const void* addonModel = nullptr; // node-llama-cpp's AddonModel owning `model`, kept alive by keepModelAlive
	int32_t nLayer = 0;
	int32_t nEmbd = 0;
	int32_t nVocab = 0;
	uint32_t batchSize = 0;
	std::atomic_bool cancelRequested{false};
	std::atomic_bool busy{false};
	Job* activeJob = nullptr; // read by the eval callback while a job runs
	Napi::ObjectReference keepModelAlive; // the AddonModel's JavaScript object

	void run(Job& job);

private:
	Napi::Value setControlVector(const Napi::CallbackInfo& info);
	Napi::Value capture(const Napi::CallbackInfo& info);
	Napi::Value cancel(const Napi::CallbackInfo& info);
	Napi::Value dispose(const Napi::CallbackInfo& info);
	Napi::Value getInfo(const Napi::CallbackInfo& info);
	void release();
	void requireLive(Napi::Env env) const;
};
