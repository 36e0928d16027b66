package main

import (
	"errors"
	"math"
	"runtime/debug"
	"strings"
	"testing"

	"dcatlas/api"
)

func TestResolveMemory(t *testing.T) {
	const cache = 64 << 20
	noCgroup := func() (uint64, error) { return 0, errors.New("no cgroup") }
	cgroup := func(n uint64) func() (uint64, error) { return func() (uint64, error) { return n, nil } }
	tests := []struct {
		name, limit, work string
		env               memoryEnv
		wantLimit         int64
		wantFrom          string
		wantWork          int64
	}{
		{"default", "", "", memoryEnv{cgroup: noCgroup}, 1 << 30, "default", (1<<30 - cache) / 2},
		{"cgroup", "", "", memoryEnv{cgroup: cgroup(2 << 30)}, 2 << 30 * 9 / 10, "90% of the cgroup's 2.0 GiB", (2<<30*9/10 - cache) / 2},
		{"cgroup without a limit", "", "", memoryEnv{cgroup: cgroup(math.MaxUint64)}, 1 << 30, "default", (1<<30 - cache) / 2},
		{"GOMEMLIMIT", "", "", memoryEnv{gomemlimit: "768MiB", gomemlimitSet: true, cgroup: cgroup(2 << 30)}, 768 << 20, "GOMEMLIMIT=768MiB", (768<<20 - cache) / 2},
		{"flag over GOMEMLIMIT", "2GiB", "", memoryEnv{gomemlimit: "768MiB", gomemlimitSet: true, cgroup: noCgroup}, 2 << 30, "--memory-limit", (2<<30 - cache) / 2},
		{"decimal units", "900MB", "", memoryEnv{cgroup: noCgroup}, 900e6, "--memory-limit", (900e6 - cache) / 2},
		{"small limit", "160MiB", "", memoryEnv{cgroup: noCgroup}, 160 << 20, "--memory-limit", minWorkBytes},
		{"work given", "1GiB", "100MiB", memoryEnv{cgroup: noCgroup}, 1 << 30, "--memory-limit", 100 << 20},
		{"off", "off", "", memoryEnv{cgroup: noCgroup}, math.MaxInt64, "--memory-limit", api.DefaultWorkBytes},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.env.gomemlimitSet { // the runtime applies GOMEMLIMIT at start; do as it does
				n, _ := parseSize(tt.env.gomemlimit)
				defer debug.SetMemoryLimit(debug.SetMemoryLimit(n))
			}
			m, err := resolveMemory(tt.limit, tt.work, cache, tt.env)
			if err != nil {
				t.Fatal(err)
			}
			if m.limit != tt.wantLimit || m.from != tt.wantFrom || m.workBytes != tt.wantWork {
				t.Errorf("got limit %d from %q, work %d; want %d from %q, work %d", m.limit, m.from, m.workBytes, tt.wantLimit, tt.wantFrom, tt.wantWork)
			}
		})
	}
	for _, tt := range []struct{ limit, work, want string }{
		{"lots", "", "--memory-limit"},
		{"-1GiB", "", "--memory-limit"},
		{"0", "", "--memory-limit"},
		{"", "off", "--work-memory"},
		{"", "12kB", "--work-memory"},
		{"100MiB", "", "do not fit"},
		{"1GiB", "1GiB", "do not fit"},
	} {
		_, err := resolveMemory(tt.limit, tt.work, cache, memoryEnv{cgroup: noCgroup})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("--memory-limit %q --work-memory %q: error %v, want one saying %q", tt.limit, tt.work, err, tt.want)
		}
	}
}

func TestResolveGCPercent(t *testing.T) {
	env := func(kv ...string) func(string) (string, bool) {
		return func(k string) (string, bool) {
			if len(kv) == 2 && kv[0] == k {
				return kv[1], true
			}
			return "", false
		}
	}
	defer debug.SetGCPercent(debug.SetGCPercent(150)) // as the runtime does for GOGC=150
	for _, tt := range []struct {
		name, flag string
		lookup     func(string) (string, bool)
		want       gcSettings
	}{
		{"default", "", env(), gcSettings{defaultGCPercent, "default"}},
		{"GOGC", "", env("GOGC", "150"), gcSettings{150, "GOGC=150"}},
		{"flag over GOGC", "200", env("GOGC", "150"), gcSettings{200, "--gc-percent"}},
		{"empty GOGC", "", env("GOGC", ""), gcSettings{defaultGCPercent, "default"}},
	} {
		got, err := resolveGCPercent(tt.flag, tt.lookup)
		if err != nil || got != tt.want {
			t.Errorf("%s: %+v, %v; want %+v", tt.name, got, err, tt.want)
		}
	}
	for _, bad := range []string{"off", "-1", "5", "20000", "lots"} {
		if _, err := resolveGCPercent(bad, env()); err == nil || !strings.Contains(err.Error(), "--gc-percent") {
			t.Errorf("--gc-percent %q: error %v", bad, err)
		}
	}
}
