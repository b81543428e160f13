#include "generation_worker.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <mutex>
#include <set>
#include <utility>

#include "node_llama_cpp_access.h"

namespace {

// Contexts a generation runs on: a second one on the same context would interleave two sequences'
// decodes in one KV cache and one logits buffer.
std::mutex busyMutex;
std::set<const llama_context*> busyContexts;

bool claim(const llama_context* context) {
	std::lock_guard<std::mutex> lock(busyMutex);
	return busyContexts.insert(context).second;
}

void releaseClaim(const llama_context* context) {
	std::lock_guard<std::mutex> lock(busyMutex);
	busyContexts.erase(context);
}

}  // namespace

bool generationRunsOn(const llama_context* context) {
	std::lock_guard<std::mutex> lock(busyMutex);
	return busyContexts.count(context) > 0;
}

namespace {

// Frees what a llama_batch / llama_sampler owns when the loop leaves, however it leaves.
struct BatchHolder {
	const LlamaSymbols& symbols;
	llama_batch batch;
	~BatchHolder() { symbols.batch_free(batch); }
};

struct SamplerHolder {
	const LlamaSymbols& symbols;
	llama_sampler* chain;
	~SamplerHolder() { symbols.sampler_free(chain); }
};

// node-llama-cpp's chain for these options (AddonSampler::rebuildChainIfNeeded with temperature, topK,
// topP and seed set and nothing else): greedy at temperature ≤ 0, else top-k, top-p, temperature and a
// seeded draw. The chain owns the samplers added to it.
llama_sampler* samplerChain(const LlamaSymbols& symbols, const GenerationJob& job, int32_t nVocab) {
	llama_sampler* chain = symbols.sampler_chain_init(symbols.sampler_chain_default_params());
	if (job.temperature <= 0.0f) {
		symbols.sampler_chain_add(chain, symbols.sampler_init_greedy());
		return chain;
	}
	const int32_t topK = job.topK <= 0 ? nVocab : std::min(job.topK, nVocab);
	symbols.sampler_chain_add(chain, symbols.sampler_init_top_k(topK));
	if (job.topP >= 0.0f && job.topP <= 1.0f) symbols.sampler_chain_add(chain, symbols.sampler_init_top_p(job.topP, 1));
	symbols.sampler_chain_add(chain, symbols.sampler_init_temp(job.temperature));
	symbols.sampler_chain_add(chain, symbols.sampler_init_dist(job.seed));
	return chain;
}

// Decodes `count` tokens into the sequence's cells from position `job.evaluated` on, in batches of at
// most `batchSize`, with logits for the last token only; `job.evaluated` follows every batch decoded.
// Returns false with `error` (or a "cancelled" stop) set when it stops early.
bool decodeNext(GenerationJob& job, llama_batch& batch, uint32_t batchSize, const llama_token* tokens, int32_t count) {
	for (int32_t done = 0; done < count; done += static_cast<int32_t>(batchSize)) {
		if (job.cancel->load()) {
			job.stopReason = "cancelled";
			return false;
		}
		batch.n_tokens = std::min(count - done, static_cast<int32_t>(batchSize));
		for (int32_t i = 0; i < batch.n_tokens; i++) {
			batch.token[i] = tokens[done + i];
			batch.pos[i] = job.evaluated + i;
			batch.n_seq_id[i] = 1;
			batch.seq_id[i][0] = job.sequenceId;
			batch.logits[i] = done + i == count - 1;
		}
		const int32_t status = job.symbols->decode(job.context, batch);
		if (status != 0) {
			job.error = "llama_decode failed with status " + std::to_string(status) + " at position " + std::to_string(job.evaluated);
			return false;
		}
		job.evaluated += batch.n_tokens;
	}
	return true;
}

// The loop: evaluate the prompt, then sample, hand the token to `onToken`, and evaluate it, until a stop.
void runGeneration(GenerationJob& job, const std::function<void(llama_token)>& onToken) {
	const LlamaSymbols& symbols = *job.symbols;
	const llama_vocab* vocab = symbols.model_get_vocab(job.model);
	const int32_t nVocab = symbols.vocab_n_tokens(vocab);
	const int32_t contextSize = static_cast<int32_t>(symbols.n_ctx(job.context));
	const uint32_t batchSize = std::max<uint32_t>(1, symbols.n_batch(job.context));
	const int32_t promptLength = static_cast<int32_t>(job.prompt.size());
	if (job.threads > 0) symbols.set_n_threads(job.context, job.threads, job.threads);

	// Cells past `keep` belong to an earlier generation or prompt; drop them before writing over them.
	// Only a full-attention KV cache can keep a prefix: a sliding-window cache may already have evicted
	// cells the prefix's last positions attend to, and a recurrent state cannot be cut at a position.
	const bool prefixReusable = symbols.model_n_swa(job.model) == 0 && !symbols.model_is_recurrent(job.model) &&
		!symbols.model_is_hybrid(job.model);
	llama_memory_t memory = symbols.get_memory(job.context);
	if (!prefixReusable || !symbols.memory_seq_rm(memory, job.sequenceId, job.keep, -1)) {
		job.keep = 0;
		symbols.memory_seq_rm(memory, job.sequenceId, -1, -1);
	}
	job.evaluated = job.keep;
	if (promptLength > contextSize) {
		job.stopReason = "contextFull";
		return;
	}

	BatchHolder batch{symbols, symbols.batch_init(static_cast<int32_t>(batchSize), 0, 1)};
	if (!decodeNext(job, batch.batch, batchSize, job.prompt.data() + job.keep, promptLength - job.keep)) return;
	SamplerHolder sampler{symbols, samplerChain(symbols, job, nVocab)};

	std::vector<llama_token_data> candidates(static_cast<size_t>(nVocab));
	while (true) {
		if (job.cancel->load()) {
			job.stopReason = "cancelled";
			return;
		}
		const float* logits = symbols.get_logits_ith(job.context, -1);
		if (logits == nullptr) {
			job.error = "this model does not produce logits to sample from";
			return;
		}
		for (int32_t id = 0; id < nVocab; id++) candidates[static_cast<size_t>(id)] = llama_token_data{id, logits[id], 0.0f};
		llama_token_data_array array{candidates.data(), candidates.size(), -1, false};
		symbols.sampler_apply(sampler.chain, &array);
		if (array.selected < 0 || static_cast<size_t>(array.selected) >= array.size) {
			job.error = "the sampler selected no token";
			return;
		}
		const llama_token token = array.data[array.selected].id;
		if (symbols.vocab_is_eog(vocab, token) ||
			std::find(job.stopTokens.begin(), job.stopTokens.end(), token) != job.stopTokens.end()) {
			job.stopReason = "eogToken";
			return;
		}
		job.generated.push_back(token);
		onToken(token);
		if (static_cast<int32_t>(job.generated.size()) >= job.maxTokens) {
			job.stopReason = "maxTokens";
			return;
		}
		if (job.evaluated >= contextSize) {
			job.stopReason = "contextFull";
			return;
		}
		// The token just sampled goes into the next free cell.
		if (!decodeNext(job, batch.batch, batchSize, &token, 1)) return;
	}
}

template <typename T>
T optionOr(const Napi::Object& options, const char* name, T fallback) {
	if (!options.Has(name)) return fallback;
	Napi::Value value = options.Get(name);
	if (value.IsUndefined() || value.IsNull()) return fallback;
	if (!value.IsNumber()) throw Napi::TypeError::New(options.Env(), std::string("generate: ") + name + " must be a number");
	const double number = value.As<Napi::Number>().DoubleValue();
	if (!std::isfinite(number) || number < -2147483648.0 || number > 4294967295.0)
		throw Napi::RangeError::New(options.Env(), std::string("generate: ") + name + " is out of range");
	return static_cast<T>(number);
}

std::vector<llama_token> tokensOf(Napi::Env env, Napi::Value value, const char* name) {
	if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != napi_int32_array)
		throw Napi::TypeError::New(env, std::string("generate: ") + name + " must be an Int32Array");
	Napi::Int32Array array = value.As<Napi::Int32Array>();
	return std::vector<llama_token>(array.Data(), array.Data() + array.ElementLength());
}

}  // namespace

GenerationWorker::GenerationWorker(Napi::Env env, Napi::Object addonContext, Napi::Function onTokens, GenerationJob job)
	: Napi::AsyncProgressQueueWorker<llama_token>(env, "SteerGeneration"),
	  keepContextAlive(Napi::Persistent(addonContext)),
	  onTokens(Napi::Persistent(onTokens)),
	  job(std::move(job)),
	  deferred(Napi::Promise::Deferred::New(env)) {}

GenerationWorker::~GenerationWorker() { releaseClaim(job.context); }

Napi::Promise GenerationWorker::promise() { return deferred.Promise(); }

void GenerationWorker::Execute(const ExecutionProgress& progress) {
	try {
		runGeneration(job, [&](llama_token token) { progress.Send(&token, 1); });
	} catch (const std::exception& error) {
		job.error = std::string("generation failed: ") + error.what();
	} catch (...) {
		job.error = "generation failed in llama.cpp";
	}
	if (!job.error.empty()) SetError(job.error);
}

void GenerationWorker::OnProgress(const llama_token* tokens, size_t count) {
	Napi::Env env = Env();
	Napi::HandleScope scope(env);
	if (!listenerError.IsEmpty()) return;  // it threw: the loop is stopping, later tokens are dropped
	auto array = Napi::Int32Array::New(env, count);
	std::copy(tokens, tokens + count, array.Data());
	// A throwing listener must not leave the promise unsettled: note it, stop, and reject at the end.
	try {
		onTokens.Call({array});
	} catch (const Napi::Error& error) {
		job.cancel->store(true);
		if (listenerError.IsEmpty()) listenerError = Napi::Persistent(error.Value());
	}
}

void GenerationWorker::OnOK() {
	Napi::Env env = Env();
	if (!listenerError.IsEmpty()) {
		deferred.Reject(listenerError.Value());
		return;
	}
	Napi::Object result = Napi::Object::New(env);
	auto tokens = Napi::Int32Array::New(env, job.generated.size());
	std::copy(job.generated.begin(), job.generated.end(), tokens.Data());
	result.Set("tokens", tokens);
	result.Set("evaluated", job.evaluated);
	result.Set("reused", job.keep);
	result.Set("stopReason", job.stopReason);
	deferred.Resolve(result);
}

void GenerationWorker::OnError(const Napi::Error& error) {
	Napi::Object value = error.Value();
	// How many cells the failed run left written, so the caller can drop them.
	value.Set("evaluated", job.evaluated);
	deferred.Reject(value);
}

Napi::Value startGeneration(const Napi::CallbackInfo& info) {
	Napi::Env env = info.Env();
	if (info.Length() < 4 || !info[0].IsObject() || !info[2].IsObject() || !info[3].IsFunction())
		throw Napi::TypeError::New(env, "generate(addonContext, prompt, options, onTokens)");
	const NodeLlamaContextHandles handles = unwrapNodeLlamaContext(env, info[0]);
	Napi::Object options = info[2].As<Napi::Object>();
	GenerationJob job;
	job.symbols = handles.symbols;
	job.context = handles.context;
	job.model = handles.model;
	job.prompt = tokensOf(env, info[1], "prompt");
	job.sequenceId = optionOr<int32_t>(options, "sequenceId", 0);
	job.keep = optionOr<int32_t>(options, "keep", 0);
	job.maxTokens = optionOr<int32_t>(options, "maxTokens", 0);
	job.temperature = optionOr<float>(options, "temperature", 0.0f);
	job.topK = optionOr<int32_t>(options, "topK", 40);
	job.topP = optionOr<float>(options, "topP", 0.95f);
	job.seed = optionOr<uint32_t>(options, "seed", 0);
	job.threads = optionOr<int32_t>(options, "threads", 0);
	if (options.Has("stopTokens")) job.stopTokens = tokensOf(env, options.Get("stopTokens"), "stopTokens");
	const int32_t promptLength = static_cast<int32_t>(job.prompt.size());
	if (promptLength < 1) throw Napi::RangeError::New(env, "generate: the prompt has no tokens");
	if (job.keep < 0 || job.keep >= promptLength)
		throw Napi::RangeError::New(env, "generate: keep must leave at least one prompt token to evaluate");
	if (job.maxTokens < 1) throw Napi::RangeError::New(env, "generate: maxTokens must be at least 1");
	if (job.sequenceId < 0) throw Napi::RangeError::New(env, "generate: sequenceId must not be negative");
	const int32_t nVocab = handles.symbols->vocab_n_tokens(handles.symbols->model_get_vocab(handles.model));
	for (const llama_token token : job.prompt)
		if (token < 0 || token >= nVocab) throw Napi::RangeError::New(env, "generate: prompt token " + std::to_string(token) + " is not in the vocabulary");
	job.cancel = std::make_shared<std::atomic_bool>(false);
	// Everything that can throw comes before the worker exists: once created, a worker must be queued
	// (its base class frees it when the work completes), and a queued one must not be deleted.
	Napi::Object handle = Napi::Object::New(env);
	auto cancel = job.cancel;
	handle.Set("cancel", Napi::Function::New(env, [cancel](const Napi::CallbackInfo&) { cancel->store(true); }, "cancel"));
	if (!claim(job.context)) throw Napi::Error::New(env, "generate: a generation is already running on this context");
	GenerationWorker* worker = nullptr;
	try {
		worker = new GenerationWorker(env, info[0].As<Napi::Object>(), info[3].As<Napi::Function>(), std::move(job));
	} catch (...) {
		releaseClaim(handles.context);
		throw;
	}
	handle.Set("result", worker->promise());
	worker->Queue();
	return handle;
}
