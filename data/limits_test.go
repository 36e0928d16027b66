package data

import (
	"strings"
	"testing"
	"testing/fstest"
)

// TestFileSizeLimit refuses a file over MaxFileBytes with file:1, without parsing it.
func TestFileSizeLimit(t *testing.T) {
	big := "provider: x\nname: \"" + strings.Repeat("x", MaxFileBytes) + "\"\n"
	_, err := Load(fstest.MapFS{"big.yaml": {Data: []byte(big)}}, Options{})
	if err == nil || !strings.HasPrefix(err.Error(), "big.yaml:1: the file is 64 MiB; at most 64 MiB is read") {
		t.Errorf("Load: %v", err)
	}
}
