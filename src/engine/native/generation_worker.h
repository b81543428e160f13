// Steer's generation loop: evaluates a prompt on node-llama-cpp's own context and samples token after
// token on a worker thread, streaming each token to JavaScript without waiting for it.
//
// Why not node-llama-cpp's LlamaCompletion: it crosses from JavaScript to a worker thread twice per
// token (decode, then sample) and runs its bookkeeping in between; on a 30-layer model that cost a
// sixth of llama.cpp's own speed (docs/benchmarks.md). Here a token costs one decode and one sampler
// pass, as in llama.cpp's own tools. The sampler chain is built exactly as node-llama-cpp builds it
// (top-k, top-p, temperature, then a seeded draw; greedy at temperature 0), so the same request gives
// the same tokens on both paths.
//
// The context is node-llama-cpp's: the caller must not let node-llama-cpp evaluate on it while a
// generation runs, and owns the KV cache cells of `sequenceId` from position `keep` on.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include <napi.h>

#include "llama_symbols.h"

struct GenerationJob {
	const LlamaSymbols* symbols = nullptr;
	llama_context* context = nullptr;
	const llama_model* model = nullptr;
	int32_t sequenceId = 0;
	// KV cells [0, keep) of the sequence hold the first `keep` tokens of the prompt already.
	int32_t keep = 0;
	// The whole prompt (BOS included where the model uses one); tokens from `keep` on are evaluated.
	std::vector<llama_token> prompt;
	int32_t maxTokens = 0;
	float temperature = 0;
	int32_t topK = 40;
	float topP = 0.95f;
	uint32_t seed = 0;
	int32_t threads = 0;                  // 0: leave the context's setting
	std::vector<llama_token> stopTokens;  // end the generation like an end-of-generation token
	std::shared_ptr<std::atomic_bool> cancel;

	// Results.
	std::vector<llama_token> generated;  // every sampled token except the one that stopped it
	int32_t evaluated = 0;               // KV cells [0, evaluated) of the sequence hold prompt + generated
	// (`keep` itself becomes 0 when the model's memory cannot keep a prefix: sliding window, recurrent.)
	std::string stopReason;              // "maxTokens", "eogToken", "contextFull" or "cancelled"
	std::string error;
};

// Runs one job; OnProgress hands each new token to `onTokens(Int32Array)` in order, before the
// promise settles with {tokens, evaluated, reused, stopReason} (reused: the prompt cells kept).
class GenerationWorker : public Napi::AsyncProgressQueueWorker<llama_token> {
public:
	GenerationWorker(Napi::Env env, Napi::Object addonContext, Napi::Function onTokens, GenerationJob job);
	~GenerationWorker() override;

	Napi::Promise promise();

	void Execute(const ExecutionProgress& progress) override;
	void OnProgress(const llama_token* tokens, size_t count) override;
	void OnOK() override;
	void OnError(const Napi::Error& error) override;

private:
	Napi::ObjectReference keepContextAlive;
	Napi::FunctionReference onTokens;
	Napi::ObjectReference listenerError; // what onTokens threw, if it threw
	GenerationJob job;
	Napi::Promise::Deferred deferred;
};

// True while a generation runs on `context`: nothing else may change its KV cells or steering meanwhile.
bool generationRunsOn(const llama_context* context);

// generate(addonContext, prompt: Int32Array, options, onTokens) -> {result: Promise, cancel()}.
Napi::Value startGeneration(const Napi::CallbackInfo& info);
