/** GGUF reading and writing, and llama.cpp control-vector files. */
export { GgufDataTruncatedError, GgufFormatError, GgufTruncatedError, GgufWriteError } from "./errors";
export { GgmlType, type GgmlTypeName, ggmlTypeName, isKnownGgmlType, ggmlTensorByteSize } from "./ggmlTypes";
export {
	GgufValue,
	type GgufArrayItems,
	type GgufArrayValue,
	type GgufBigIntTypeName,
	type GgufNumberTypeName,
	type GgufValueTypeName
} from "./values";
export { type GgufFile, type GgufTensorInfo, type ReadGgufOptions, readGguf } from "./reader";
export { type ReadGgufFileOptions, readGgufFile } from "./fileReader";
export { decodeTensorData, findTensor, isFloatTensor, readTensorAsFloat32 } from "./tensorData";
export { decodeBf16, decodeF16, f16BitsToFloat32, float32ToF16Bits } from "./halfFloat";
export { type GgufMetadataInput, type GgufTensorToWrite, type GgufToWrite, writeGguf } from "./writer";
export {
	type GgufMetadata,
	metadataInteger,
	metadataNumber,
	metadataString,
	requireMetadataInteger,
	requireMetadataString
} from "./metadataAccess";
export {
	CONTROL_VECTOR_ARCHITECTURE,
	ControlVectorFormatError,
	type ControlVectorFile,
	LAYER_COUNT_KEY,
	MODEL_HINT_KEY,
	type ReadControlVectorOptions,
	STEER_METADATA_PREFIX,
	type WriteControlVectorOptions,
	readControlVector,
	writeControlVector
} from "./controlVector";
export { MAX_CONTROL_VECTOR_FILE_BYTES, loadControlVectorFile, saveControlVectorFile } from "./controlVectorFile";
