package main

import (
	"fmt"
	"math"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/KimMachineGun/automemlimit/memlimit"
	"github.com/dustin/go-humanize"

	"dcatlas/api"
)

// The server's memory: a soft limit for the Go runtime (debug.SetMemoryLimit: past it, the
// collector works harder rather than letting the heap grow), and the work budget that bounds what
// builds hold at once (api.Options.WorkBytes), derived from it.

// defaultMemoryLimit is the limit when neither --memory-limit, GOMEMLIMIT nor a cgroup sets one.
const defaultMemoryLimit = 1 << 30

// cgroupShare is the part of a cgroup's (a container's) memory limit the process takes: the rest is
// room for what the Go runtime does not count, such as thread stacks and the kernel's buffers.
const cgroupShare = 0.9

// minWorkBytes is the least work budget derived from the limit: one large map.
const minWorkBytes = 64 << 20

// memorySettings are the memory limit in force, where it comes from, and the work budget.
type memorySettings struct {
	limit     int64 // math.MaxInt64 for none
	from      string
	workBytes int64
}

// memoryEnv is what the settings depend on beyond the flags: the GOMEMLIMIT variable (set reports
// whether it is) and the limit of the cgroup the process runs in (memlimit.FromCgroup; an error,
// such as no cgroup or no limit, means none).
type memoryEnv struct {
	gomemlimit    string
	gomemlimitSet bool
	cgroup        func() (uint64, error)
}

// resolveMemory works out the memory limit and work budget from --memory-limit and --work-memory
// (empty when not given) and the environment. The limit is, first found: --memory-limit ("off" for
// none); GOMEMLIMIT, which the runtime has already applied; 90% of the cgroup's limit; 1 GiB. The
// work budget is --work-memory, or half of what the limit leaves beside the response cache.
func resolveMemory(limitFlag, workFlag string, cacheBytes int, env memoryEnv) (memorySettings, error) {
	var m memorySettings
	switch {
	case limitFlag != "":
		n, err := parseSize(limitFlag)
		if err != nil {
			return m, fmt.Errorf("--memory-limit: %w", err)
		}
		m.limit, m.from = n, "--memory-limit"
	case env.gomemlimitSet:
		m.limit, m.from = debug.SetMemoryLimit(-1), "GOMEMLIMIT="+env.gomemlimit
	default:
		n, err := env.cgroup()
		if err == nil && n > 0 && n < math.MaxInt64 {
			m.limit, m.from = int64(float64(n)*cgroupShare), fmt.Sprintf("90%% of the cgroup's %s", humanize.IBytes(n))
		} else {
			m.limit, m.from = defaultMemoryLimit, "default"
		}
	}
	switch {
	case workFlag != "":
		n, err := parseSize(workFlag)
		if err != nil || n == math.MaxInt64 || n < 1<<20 {
			return m, fmt.Errorf("--work-memory %q: want a size of at least 1MiB, such as 512MiB", workFlag)
		}
		m.workBytes = n
	case m.limit == math.MaxInt64:
		m.workBytes = api.DefaultWorkBytes
	default:
		m.workBytes = max(minWorkBytes, (m.limit-int64(cacheBytes))/2)
	}
	if m.limit != math.MaxInt64 && m.workBytes+int64(cacheBytes) > m.limit {
		return m, fmt.Errorf("the work memory (%s) and the cache (%s) do not fit in the memory limit (%s, from %s)",
			humanize.IBytes(uint64(m.workBytes)), humanize.IBytes(uint64(cacheBytes)), humanize.IBytes(uint64(m.limit)), m.from)
	}
	return m, nil
}

// parseSize parses a size such as 1GiB, 512MiB, 900MB or 1073741824 (bytes); "off" is no limit.
func parseSize(s string) (int64, error) {
	if strings.EqualFold(strings.TrimSpace(s), "off") {
		return math.MaxInt64, nil
	}
	n, err := humanize.ParseBytes(s)
	if err != nil || n == 0 || n > math.MaxInt64 {
		return 0, fmt.Errorf("%q is not a size such as 1GiB, 512MiB or off", s)
	}
	return int64(n), nil
}

// apply sets the runtime's memory limit.
func (m memorySettings) apply() { debug.SetMemoryLimit(m.limit) }

// systemMemoryEnv is the process's own environment.
func systemMemoryEnv(lookup func(string) (string, bool)) memoryEnv {
	v, ok := lookup("GOMEMLIMIT")
	return memoryEnv{gomemlimit: v, gomemlimitSet: ok && v != "", cgroup: memlimit.FromCgroup}
}

// defaultGCPercent is the collector's target when neither --gc-percent nor GOGC gives one: the heap
// may grow to four times what is live before a collection. Go's default, 100, makes a flood of
// large images (a 4096² map allocates about 200 MB) collect after every image, 3–5 times a second,
// and each collection stops the world twice, which on a busy machine stalls cached answers for tens
// of milliseconds; at 300 there are a third as many (TestAttack: GC pauses p99 5–15 ms instead of
// 7–67 ms, peak RSS 550 MiB instead of 320 MiB). The memory limit still holds the heap: past it the
// collector runs as often as it must.
const defaultGCPercent = 300

// gcSettings are the collector's target percentage and where it comes from.
type gcSettings struct {
	percent int
	from    string
}

// resolveGCPercent works out the collector's target from --gc-percent (empty when not given), else
// GOGC, which the runtime has already applied, else defaultGCPercent.
func resolveGCPercent(flag string, lookup func(string) (string, bool)) (gcSettings, error) {
	if flag != "" {
		n, err := strconv.Atoi(strings.TrimSpace(flag))
		if err != nil || n < 10 || n > 10000 {
			return gcSettings{}, fmt.Errorf("--gc-percent %q: want a whole number from 10 to 10000", flag)
		}
		return gcSettings{n, "--gc-percent"}, nil
	}
	if v, ok := lookup("GOGC"); ok && v != "" {
		n := debug.SetGCPercent(-1)
		debug.SetGCPercent(n)
		return gcSettings{n, "GOGC=" + v}, nil
	}
	return gcSettings{defaultGCPercent, "default"}, nil
}

// apply sets the collector's target.
func (g gcSettings) apply() { debug.SetGCPercent(g.percent) }
