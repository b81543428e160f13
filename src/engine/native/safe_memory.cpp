#include "safe_memory.h"

#include <cerrno>

#include <unistd.h>
#if defined(__linux__)
#include <sys/uio.h>
#endif

namespace {

constexpr size_t kMaxRead = 512; // POSIX guarantees pipe writes up to PIPE_BUF (>= 512) are atomic

// write(2) from an unreadable address fails with EFAULT instead of faulting; reading the bytes back
// from the pipe completes the copy.
bool readThroughPipe(const void* address, void* destination, size_t size) {
	int fds[2];
	if (pipe(fds) != 0) return false;
	bool copied = false;
	if (write(fds[1], address, size) == static_cast<ssize_t>(size))
		copied = read(fds[0], destination, size) == static_cast<ssize_t>(size);
	close(fds[0]);
	close(fds[1]);
	return copied;
}

}  // namespace

bool readMemory(const void* address, void* destination, size_t size) {
	if (size == 0) return true;
	if (address == nullptr || size > kMaxRead) return false;
#if defined(__linux__)
	iovec local{destination, size};
	iovec remote{const_cast<void*>(address), size};
	const ssize_t copied = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
	if (copied == static_cast<ssize_t>(size)) return true;
	if (copied >= 0 || errno == EFAULT) return false;
	// process_vm_readv is unavailable (ENOSYS, or EPERM under a seccomp filter): use the pipe.
#endif
	return readThroughPipe(address, destination, size);
}

bool isReadable(const void* address, size_t size) {
	unsigned char scratch[kMaxRead];
	return readMemory(address, scratch, size);
}
