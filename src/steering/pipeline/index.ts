/** From contrast pairs to a calibrated, evaluated steering vector; engine-independent (see the source interfaces). */
export type {
	CapturedLayerRows,
	HiddenStateCaptureOptions,
	HiddenStateSource,
	TextToCapture,
	TokenLogProbSource
} from "./hiddenStateSource";
export type { GenerationRequest, SteerableModel } from "./steerableModel";
export {
	captureItemOfExample,
	captureItemsOf,
	collectExampleActivations,
	collectPairActivations,
	type CollectOptions,
	type ExampleTexts,
	type PairTexts
} from "./collectActivations";
export {
	bandPushFraction,
	MIN_BAND_PUSH_FRACTION,
	trainFromExamples,
	trainFromPairs,
	type TrainedVector,
	type TrainFromPairsOptions,
	type TrainingStage
} from "./trainFromPairs";
export {
	isTrainedVectorMetadata,
	loadTrainedVector,
	placementInMetadata,
	calibrationChatInMetadata,
	readTrainedVector,
	saveTrainedVector,
	TRAINED_VECTOR_KEYS
} from "./trainedVectorFile";
export {
	selfJudge,
	sweepStrengths,
	type StrengthSweepOptions,
	type StrengthSweepPoint,
	type StrengthSweepResult,
	type SweepSample
} from "./strengthSweep";
export {
	conditionalGenerate,
	type ConditionalGenerateOptions,
	type ConditionalGenerateResult,
	type SteeringCondition
} from "./conditionalGenerate";
export { checkVectorFitsModel } from "./modelShape";
export {
	calibrateStrength,
	CALIBRATION_FLUENCY_BOUNDS,
	CALIBRATION_LADDER,
	CALIBRATION_PROMPTS,
	chooseStrength,
	DEFAULT_READOUT_TARGET,
	describeCalibration,
	readLayerOf,
	rescaleTrained,
	type CalibrationOptions
} from "./calibrateStrength";
export { calibrateVector, type VectorCalibrationOptions } from "./calibrateVector";
export type {
	CalibrationCurve,
	CalibrationPoint,
	CalibrationReason,
	ProfileCandidate,
	ProfileChoice
} from "./calibrationCurve";
export { everyLayerProfile, STEERING_PROFILES, type SteeringProfile } from "./steeringProfiles";
export { selfLabelPairs, type SelfLabelledPair, type SelfLabelOptions, type SelfLabelResult } from "./selfLabel";
