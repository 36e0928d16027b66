//go:build !unix

package connlimit

// fdLimit is the process's limit on open files, or 0 when unknown.
func fdLimit() int { return 0 }
