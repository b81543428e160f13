#include "capture_context.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include "capture_worker.h"
#include "control_vector.h"
#include "node_llama_cpp_access.h"

namespace {

constexpr const char* kLayerOutputPrefix = "l_out-";

// Parses llama.cpp's per-block output tensor name "l_out-<il>"; -1 for any other tensor.
int32_t layerOfTensor(const ggml_tensor* tensor) {
	const size_t prefixLength = std::strlen(kLayerOutputPrefix);
	if (std::strncmp(tensor->name, kLayerOutputPrefix, prefixLength) != 0) return -1;
	const char* digits = tensor->name + prefixLength;
	if (*digits == '\0') return -1;
	int32_t layer = 0;
	for (const char* c = digits; *c != '\0'; c++) {
		if (*c < '0' || *c > '9') return -1;
		layer = layer * 10 + (*c - '0');
		if (layer > 100000) return -1;
	}
	return layer;
}

bool onEval(ggml_tensor* tensor, bool ask, void* userData) {
	auto* self = static_cast<CaptureContext*>(userData);
	CaptureContext::Job* job = self->activeJob;
	if (job == nullptr) return ask ? false : true;
	const int32_t layer = layerOfTensor(tensor);
	const bool wanted = layer >= 0 && layer < static_cast<int32_t>(job->slotOfLayer.size()) && job->slotOfLayer[layer] >= 0;
	if (ask) return wanted;
	if (!wanted) return true;

	if (tensor->type != GGML_TYPE_F32 || tensor->ne[0] != job->nEmbd ||
		tensor->nb[1] != static_cast<size_t>(job->nEmbd) * sizeof(float)) {
		job->error = std::string("unexpected layout of tensor ") + tensor->name;
		return false;
	}
	const int32_t slot = job->slotOfLayer[layer];
	const int32_t rowsInTensor = static_cast<int32_t>(tensor->ne[1]);
	const int32_t first = std::max(job->start, job->chunkOffset);
	const int32_t last = std::min(job->end, job->chunkOffset + job->chunkRows);
	if (first >= last) return true;
	// Every block holds all rows of the chunk, except the last one: llama.cpp keeps only the output
	// rows there, and the outputs are exactly the kept positions [first, last) of this chunk.
	int32_t firstRowInTensor;
	if (rowsInTensor == job->chunkRows) firstRowInTensor = first - job->chunkOffset;
	else if (rowsInTensor == job->chunkOutputs) firstRowInTensor = first - job->chunkFirstOutput;
	else {
		job->error = std::string("tensor ") + tensor->name + " has " + std::to_string(rowsInTensor) + " rows; expected " +
			std::to_string(job->chunkRows) + " or " + std::to_string(job->chunkOutputs);
		return false;
	}

	const size_t rowBytes = static_cast<size_t>(job->nEmbd) * sizeof(float);
	const size_t offset = static_cast<size_t>(firstRowInTensor) * rowBytes;
	const size_t count = static_cast<size_t>(last - first);
	if (job->mean) {
		std::vector<float> chunk(count * job->nEmbd);
		self->symbols->backend_tensor_get(tensor, chunk.data(), offset, count * rowBytes);
		auto& sums = job->sums[slot];
		for (size_t r = 0; r < count; r++)
			for (int32_t i = 0; i < job->nEmbd; i++) sums[i] += chunk[r * job->nEmbd + i];
	} else {
		auto& rows = job->rows[slot];
		const size_t at = static_cast<size_t>(first - job->start) * job->nEmbd;
		self->symbols->backend_tensor_get(tensor, rows.data() + at, offset, count * rowBytes);
	}
	// Nothing after the highest requested block is needed (no logits were asked for): returning false
	// makes the scheduler skip the rest of the graph, so capturing early layers costs less than a full
	// forward pass. Later blocks' KV entries stay unwritten, which only those blocks would ever read.
	return !(job->stopAfterLayer >= 0 && layer >= job->stopAfterLayer);
}

bool onAbort(void* userData) {
	return static_cast<CaptureContext*>(userData)->cancelRequested.load();
}

// Log-softmax of `logits` evaluated at `token`, in double precision for a stable sum.
float logProbability(const float* logits, int32_t nVocab, int32_t token) {
	float maxLogit = logits[0];
	for (int32_t i = 1; i < nVocab; i++) maxLogit = std::max(maxLogit, logits[i]);
	double sum = 0;
	for (int32_t i = 0; i < nVocab; i++) sum += std::exp(static_cast<double>(logits[i] - maxLogit));
	return static_cast<float>(static_cast<double>(logits[token] - maxLogit) - std::log(sum));
}

// Clears a flag when the scope ends, unless dismissed: an early throw cannot leave it set.
class FlagReset {
public:
	explicit FlagReset(std::atomic_bool& flag) : flag(flag) {}
	~FlagReset() {
		if (armed) flag.store(false);
	}
	void dismiss() { armed = false; }

private:
	std::atomic_bool& flag;
	bool armed = true;
};

int32_t requireInt(const Napi::Object& object, const char* key, int32_t fallback) {
	const Napi::Value value = object.Get(key);
	if (value.IsUndefined()) return fallback;
	if (!value.IsNumber()) throw Napi::TypeError::New(object.Env(), std::string(key) + " must be a number");
	return value.As<Napi::Number>().Int32Value();
}

bool optionalBool(const Napi::Object& object, const char* key) {
	const Napi::Value value = object.Get(key);
	return value.IsBoolean() && value.As<Napi::Boolean>().Value();
}

// request.segments: [{from, data: Float32Array}] in rising `from` order starting at 0, and
// request.segmentLayers: [start, end], the blocks every segment's data spans.
void readSegments(Napi::Env env, const Napi::Object& request, int32_t nLayer, int32_t nEmbd, CaptureContext::Job& job) {
	const Napi::Value value = request.Get("segments");
	if (value.IsUndefined() || value.IsNull()) return;
	if (!value.IsArray()) throw Napi::TypeError::New(env, "request.segments must be an array");
	const Napi::Array segments = value.As<Napi::Array>();
	const Napi::Value layersValue = request.Get("segmentLayers");
	if (!layersValue.IsArray() || layersValue.As<Napi::Array>().Length() != 2)
		throw Napi::TypeError::New(env, "request.segmentLayers must be [start, end]");
	const Napi::Array layers = layersValue.As<Napi::Array>();
	if (!layers.Get(0u).IsNumber() || !layers.Get(1u).IsNumber()) throw Napi::TypeError::New(env, "request.segmentLayers must hold two numbers");
	job.segmentLayerStart = layers.Get(0u).As<Napi::Number>().Int32Value();
	job.segmentLayerEnd = layers.Get(1u).As<Napi::Number>().Int32Value();
	if (job.segmentLayerStart < 1 || job.segmentLayerEnd >= nLayer || job.segmentLayerStart > job.segmentLayerEnd)
		throw Napi::RangeError::New(env, "segment layers must lie within 1.." + std::to_string(nLayer - 1));
	const size_t expected = static_cast<size_t>(nLayer - 1) * static_cast<size_t>(nEmbd);
	for (uint32_t i = 0; i < segments.Length(); i++) {
		const Napi::Value entry = segments.Get(i);
		if (!entry.IsObject()) throw Napi::TypeError::New(env, "each segment must be {from, data}");
		const Napi::Object segment = entry.As<Napi::Object>();
		CaptureContext::SteeringSegment parsed;
		parsed.from = requireInt(segment, "from", -1);
		const int32_t previous = job.segments.empty() ? -1 : job.segments.back().from;
		if ((i == 0 && parsed.from != 0) || parsed.from <= previous)
			throw Napi::RangeError::New(env, "segments must start at 0 and rise");
		const Napi::Value data = segment.Get("data");
		if (!data.IsTypedArray() || data.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
			throw Napi::TypeError::New(env, "segment data must be a Float32Array");
		const Napi::Float32Array floats = data.As<Napi::Float32Array>();
		if (floats.ElementLength() != expected)
			throw Napi::RangeError::New(env, "segment data has " + std::to_string(floats.ElementLength()) + " floats; expected " + std::to_string(expected));
		parsed.data.assign(floats.Data(), floats.Data() + expected);
		for (float v : parsed.data)
			if (!std::isfinite(v)) throw Napi::RangeError::New(env, "segment data contains a non-finite value");
		job.segments.push_back(std::move(parsed));
	}
}

}  // namespace

Napi::Function CaptureContext::define(Napi::Env env) {
	return DefineClass(env, "CaptureContext", {
		InstanceMethod("setControlVector", &CaptureContext::setControlVector),
		InstanceMethod("capture", &CaptureContext::capture),
		InstanceMethod("cancel", &CaptureContext::cancel),
		InstanceMethod("dispose", &CaptureContext::dispose),
		InstanceMethod("info", &CaptureContext::getInfo),
	});
}

// new CaptureContext(addonContext, model, {contextSize, batchSize, threads}); `model` is the context's
// node-llama-cpp LlamaModel, held so that its AddonModel can be asked whether the weights still exist.
CaptureContext::CaptureContext(const Napi::CallbackInfo& info) : Napi::ObjectWrap<CaptureContext>(info) {
	Napi::Env env = info.Env();
	if (info.Length() < 3 || !info[2].IsObject()) throw Napi::TypeError::New(env, "CaptureContext(addonContext, model, options)");
	const NodeLlamaContextHandles handles = unwrapNodeLlamaContext(env, info[0]);
	symbols = handles.symbols;
	const Napi::Object modelObject = nodeLlamaModelObject(env, info[1], handles.addonModel);
	if (modelObject.IsEmpty()) throw Napi::TypeError::New(env, "CaptureContext(addonContext, model, options): model must be the LlamaModel of the context");
	keepModelAlive = Napi::Persistent(modelObject);
	addonModel = handles.addonModel;
	const Napi::Object options = info[2].As<Napi::Object>();
	const int32_t contextSize = requireInt(options, "contextSize", 512);
	const int32_t requestedBatch = requireInt(options, "batchSize", std::min(contextSize, 512));
	const int32_t threads = requireInt(options, "threads", 1);
	if (contextSize < 8 || requestedBatch < 1 || threads < 1)
		throw Napi::RangeError::New(env, "contextSize must be >= 8, batchSize and threads >= 1");

	model = handles.model;
	nLayer = symbols->model_n_layer(model);
	nEmbd = symbols->model_n_embd(model);
	nVocab = symbols->vocab_n_tokens(symbols->model_get_vocab(model));
	batchSize = static_cast<uint32_t>(std::min(requestedBatch, contextSize));

	llama_context_params params = symbols->context_default_params();
	params.n_ctx = static_cast<uint32_t>(contextSize);
	// One physical batch per logical batch, so each eval callback sees exactly the rows we submitted.
	params.n_batch = batchSize;
	params.n_ubatch = batchSize;
	params.n_seq_max = 1;
	params.n_threads = threads;
	params.n_threads_batch = threads;
	params.cb_eval = onEval;
	params.cb_eval_user_data = this;
	params.abort_callback = onAbort;
	params.abort_callback_data = this;
	params.embeddings = false;
	context = symbols->init_from_model(const_cast<llama_model*>(model), params);
	if (context == nullptr) throw Napi::Error::New(env, "llama.cpp could not create the capture context (out of memory?)");
}

CaptureContext::~CaptureContext() { release(); }

void CaptureContext::release() {
	if (context != nullptr) {
		// llama_free reads the model the context was created from. If node-llama-cpp has freed those
		// weights already (the model was disposed first), freeing would be a use after free: the
		// context's memory is leaked instead.
		if (nodeLlamaModelHolds(addonModel, model)) symbols->free_context(context);
		context = nullptr;
	}
	if (!keepModelAlive.IsEmpty()) keepModelAlive.Reset();
}

void CaptureContext::requireLive(Napi::Env env) const {
	if (context == nullptr) throw Napi::Error::New(env, "the capture context was disposed");
	if (!nodeLlamaModelHolds(addonModel, model)) throw Napi::Error::New(env, "the capture context's model was disposed");
}

void CaptureContext::run(Job& job) {
	symbols->memory_clear(symbols->get_memory(context), true);
	const int32_t nTokens = static_cast<int32_t>(job.tokens.size());
	llama_batch batch = symbols->batch_init(static_cast<int32_t>(batchSize), 0, 1);
	activeJob = &job;
	size_t appliedSegment = job.segments.size(); // none yet
	for (int32_t offset = 0, count = 0; offset < nTokens && job.error.empty(); offset += count) {
		count = std::min(static_cast<int32_t>(batchSize), nTokens - offset);
		if (!job.segments.empty()) {
			// A batch never straddles a segment boundary: llama.cpp adds one control vector to all its rows.
			size_t segment = 0;
			while (segment + 1 < job.segments.size() && job.segments[segment + 1].from <= offset) segment++;
			if (segment + 1 < job.segments.size()) count = std::min(count, job.segments[segment + 1].from - offset);
			if (segment != appliedSegment) {
				const auto& data = job.segments[segment].data;
				const int32_t status = symbols->set_adapter_cvec(context, data.data(), data.size(), nEmbd, job.segmentLayerStart, job.segmentLayerEnd);
				if (status != 0) {
					job.error = "llama.cpp refused a control vector segment (status " + std::to_string(status) + ")";
					break;
				}
				appliedSegment = segment;
			}
		}
		batch.n_tokens = count;
		// Only the kept positions are outputs (all of them when log-probabilities are asked for): llama.cpp
		// then computes the last block and the vocabulary projection for those rows alone.
		// (If the last logits are wanted outside the kept range, all rows are outputs to keep them contiguous.)
		const bool allOutputs = job.tokenLogProbs || (job.lastLogits && job.end != nTokens);
		int32_t outputs = 0;
		int32_t firstOutput = -1;
		for (int32_t i = 0; i < count; i++) {
			const int32_t position = offset + i;
			const bool isLast = position == nTokens - 1;
			const bool output = allOutputs || (job.lastLogits && isLast) || (position >= job.start && position < job.end);
			batch.token[i] = job.tokens[position];
			batch.pos[i] = position;
			batch.n_seq_id[i] = 1;
			batch.seq_id[i][0] = 0;
			batch.logits[i] = output ? 1 : 0;
			if (output) {
				if (firstOutput < 0) firstOutput = position;
				outputs++;
			}
		}
		job.chunkOffset = offset;
		job.chunkRows = count;
		job.chunkOutputs = outputs;
		job.chunkFirstOutput = firstOutput;
		const int32_t status = symbols->decode(context, batch);
		if (!job.error.empty()) break;
		if (status == 2 || cancelRequested.load()) {
			job.error = "capture cancelled";
			break;
		}
		if (status != 0) {
			job.error = "llama_decode failed with status " + std::to_string(status);
			break;
		}
		if (job.tokenLogProbs) {
			for (int32_t i = 0; i < count; i++) {
				const int32_t position = offset + i;
				if (position + 1 >= nTokens) break;
				const float* logits = symbols->get_logits_ith(context, i);
				job.logProbs.push_back(logProbability(logits, nVocab, job.tokens[position + 1]));
			}
		}
		if (job.lastLogits && offset + count == nTokens) {
			const float* logits = symbols->get_logits_ith(context, count - 1);
			job.logits.assign(logits, logits + nVocab);
		}
	}
	activeJob = nullptr;
	symbols->batch_free(batch);
	if (job.error.empty() && job.mean) {
		const double kept = static_cast<double>(job.end - job.start);
		for (size_t slot = 0; slot < job.layers.size(); slot++) {
			job.rows[slot].resize(job.nEmbd);
			for (int32_t i = 0; i < job.nEmbd; i++) job.rows[slot][i] = static_cast<float>(job.sums[slot][i] / kept);
		}
	}
}

// capture(tokens: Int32Array, {layers: Int32Array, start, end, mean, tokenLogProbs, lastLogits, segments,
// segmentLayers}) -> Promise
Napi::Value CaptureContext::capture(const Napi::CallbackInfo& info) {
	Napi::Env env = info.Env();
	requireLive(env);
	if (info.Length() < 2 || !info[0].IsTypedArray() || !info[1].IsObject())
		throw Napi::TypeError::New(env, "capture(tokens: Int32Array, request)");
	const Napi::Int32Array tokens = info[0].As<Napi::Int32Array>();
	const Napi::Object request = info[1].As<Napi::Object>();
	const int32_t nTokens = static_cast<int32_t>(tokens.ElementLength());
	if (nTokens < 1) throw Napi::RangeError::New(env, "cannot capture an empty token sequence");
	if (static_cast<uint32_t>(nTokens) > symbols->n_ctx(context))
		throw Napi::RangeError::New(env, "the text has " + std::to_string(nTokens) + " tokens, more than the capture context size " +
			std::to_string(symbols->n_ctx(context)));

	Job job;
	job.nEmbd = nEmbd;
	job.tokens.assign(tokens.Data(), tokens.Data() + nTokens);
	for (int32_t token : job.tokens)
		if (token < 0 || token >= nVocab) throw Napi::RangeError::New(env, "token id " + std::to_string(token) + " is outside the vocabulary");
	const Napi::Value layersValue = request.Get("layers");
	if (!layersValue.IsTypedArray()) throw Napi::TypeError::New(env, "request.layers must be an Int32Array");
	const Napi::Int32Array layers = layersValue.As<Napi::Int32Array>();
	job.slotOfLayer.assign(nLayer, -1);
	for (size_t i = 0; i < layers.ElementLength(); i++) {
		const int32_t layer = layers[i];
		if (layer < 0 || layer >= nLayer)
			throw Napi::RangeError::New(env, "layer " + std::to_string(layer) + " is out of range 0.." + std::to_string(nLayer - 1));
		if (job.slotOfLayer[layer] >= 0) throw Napi::RangeError::New(env, "layer " + std::to_string(layer) + " is requested twice");
		job.slotOfLayer[layer] = static_cast<int32_t>(job.layers.size());
		job.layers.push_back(layer);
	}
	job.start = requireInt(request, "start", 0);
	job.end = requireInt(request, "end", nTokens);
	if (job.start < 0 || job.end > nTokens || job.start >= job.end)
		throw Napi::RangeError::New(env, "positions [" + std::to_string(job.start) + ", " + std::to_string(job.end) +
			") are not a non-empty range inside the " + std::to_string(nTokens) + " tokens");
	job.mean = optionalBool(request, "mean");
	job.tokenLogProbs = optionalBool(request, "tokenLogProbs");
	job.lastLogits = optionalBool(request, "lastLogits");
	readSegments(env, request, nLayer, nEmbd, job);
	if (!job.tokenLogProbs && !job.lastLogits && !job.layers.empty())
		job.stopAfterLayer = *std::max_element(job.layers.begin(), job.layers.end());
	job.rows.resize(job.layers.size());
	if (job.mean) job.sums.assign(job.layers.size(), std::vector<double>(nEmbd, 0.0));
	else
		for (auto& rows : job.rows) rows.assign(static_cast<size_t>(job.end - job.start) * nEmbd, 0.0f);

	bool expected = false;
	if (!busy.compare_exchange_strong(expected, true)) throw Napi::Error::New(env, "the capture context is busy with another capture");
	// The worker's OnOK/OnError clear `busy` once it is queued; until then, a throw (creating the worker
	// or its promise, queueing it) must clear it here, or every later capture and dispose is refused.
	FlagReset clearBusy(busy);
	cancelRequested.store(false);
	std::unique_ptr<CaptureWorker> worker(new CaptureWorker(env, this, std::move(job)));
	Napi::Promise promise = worker->promise();
	worker->Queue();
	worker.release(); // a queued AsyncWorker deletes itself when it completes
	clearBusy.dismiss();
	return promise;
}

// setControlVector(data: Float32Array | null, nEmbd, ilStart, ilEnd)
Napi::Value CaptureContext::setControlVector(const Napi::CallbackInfo& info) {
	Napi::Env env = info.Env();
	requireLive(env);
	if (busy.load()) throw Napi::Error::New(env, "cannot change steering while a capture runs");
	applyControlVector(env, *symbols, context, nLayer, nEmbd, info, 0);
	return env.Undefined();
}

Napi::Value CaptureContext::cancel(const Napi::CallbackInfo& info) {
	cancelRequested.store(true);
	return info.Env().Undefined();
}

Napi::Value CaptureContext::dispose(const Napi::CallbackInfo& info) {
	if (busy.load()) throw Napi::Error::New(info.Env(), "cannot dispose the capture context while a capture runs; cancel it first");
	release();
	return info.Env().Undefined();
}

Napi::Value CaptureContext::getInfo(const Napi::CallbackInfo& info) {
	Napi::Object result = Napi::Object::New(info.Env());
	result.Set("nLayer", nLayer);
	result.Set("nEmbd", nEmbd);
	result.Set("nVocab", nVocab);
	result.Set("contextSize", context == nullptr ? 0 : symbols->n_ctx(context));
	result.Set("batchSize", batchSize);
	return result;
}
