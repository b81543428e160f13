// Reads memory at addresses that have not been validated yet without ever faulting: the copy goes
// through the kernel, which reports an unmapped address as an error where a plain load would raise
// SIGSEGV. Used before trusting anything read through node-llama-cpp's internal object layout.
#pragma once

#include <cstddef>
#include <type_traits>

// Copies `size` bytes (at most 512) from `address`; false when any of them cannot be read.
bool readMemory(const void* address, void* destination, size_t size);

template <typename T>
bool readValue(const void* address, T& value) {
	static_assert(std::is_trivially_copyable<T>::value, "readValue copies raw bytes");
	return readMemory(address, &value, sizeof(T));
}

// True when `size` bytes (at most 512) at `address` can be read.
bool isReadable(const void* address, size_t size);
