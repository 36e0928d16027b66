// Command gendata writes a synthetic dataset for scale tests: go run ./bench/gendata -sites 10000
// -providers 30 DIR, then dcatlas validate DIR or dcatlas --data DIR.
package main

import (
	"flag"
	"fmt"
	"os"

	"dcatlas/data/synthetic"
)

func main() {
	var spec synthetic.Spec
	flag.IntVar(&spec.Sites, "sites", 10_000, "sites in all")
	flag.IntVar(&spec.Providers, "providers", 30, "providers, one file each")
	flag.IntVar(&spec.NameLen, "name-len", 0, "pad provider names to this many characters (a hostile name)")
	flag.Uint64Var(&spec.Seed, "seed", 1, "random seed")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: gendata [flags] DIR")
		os.Exit(2)
	}
	if err := os.MkdirAll(flag.Arg(0), 0o755); err != nil {
		fmt.Fprintln(os.Stderr, "gendata:", err)
		os.Exit(1)
	}
	if err := synthetic.Write(flag.Arg(0), spec); err != nil {
		fmt.Fprintln(os.Stderr, "gendata:", err)
		os.Exit(1)
	}
}
