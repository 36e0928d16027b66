// Package heavytest lets the heavy test suites of different packages — the soak test, the browser
// suites — take turns instead of running at once: go test runs packages in parallel, and two such
// suites on a small machine starve each other into timeouts. It is for tests only.
package heavytest

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// Lock waits until no other heavy suite on this machine runs, then holds the turn until the test
// ends. The lock is a file lock, so it is released when the process exits, however it exits.
func Lock(t testing.TB) {
	t.Helper()
	f, err := os.OpenFile(filepath.Join(os.TempDir(), "dcatlas-heavy-tests.lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		t.Fatalf("heavy-test lock: %v", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		t.Fatalf("heavy-test lock: %v", err)
	}
	t.Cleanup(func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	})
}
