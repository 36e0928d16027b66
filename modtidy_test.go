package main

import (
	"context"
	"os/exec"
	"testing"
	"time"
)

// TestGoModTidy checks that go.mod and go.sum are as go mod tidy leaves them: direct dependencies
// marked direct, nothing missing or unused.
func TestGoModTidy(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go mod tidy; skipped with -short")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "go", "mod", "tidy", "-diff").CombinedOutput()
	if err != nil {
		t.Errorf("go.mod or go.sum is not tidy (run go mod tidy):\n%s", out)
	}
}
