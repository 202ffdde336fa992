package main

// Sharding: `runner run --shard I/N` trains slice I (0-based) of N of every
// sweep it is given, so that N processes on N machines train a sweep
// between them, each into its own database, which `runner merge` combines.
//
// The slices are cut by run key, not by position, so that they depend on
// the set of runs only, and adding a seed or a learning rate to a sweep
// moves few of the runs it had from one shard to another. The cut is
// rendezvous (highest random weight) hashing with bounded loads: every
// pair of a run and a shard gets a weight, a hash of the run's key and the
// shard's number; the pairs are taken from the heaviest down, and a run
// goes to the first shard of its pairs that still has room. A shard has
// room for ⌊R/N⌋ of the R runs, and shards 0 … (R mod N) − 1 for one more,
// so the slices differ in size by one at most, for any N. Without the
// bound, a run would always go to its heaviest shard (plain rendezvous
// hashing: no run moves when runs are added, but the slices are uneven by
// about √(R/N)); with it, a run goes elsewhere only when its shard is full,
// and adding runs moves a few of the others: adding a fourth seed to a grid
// of 36 configurations moves 2 to 11% of its 108 runs for N = 2 … 8, where
// dealing them out by position would move 50 to 86%
// (TestPartition_AddingASeed).
//
// Without --shard the slice comes from the environment of the engines
// people run: a Kubernetes Indexed Job sets JOB_COMPLETION_INDEX (the
// number of shards, the Job's completions, is not in the environment: pass
// --shards N or set RUNNER_SHARDS); a Slurm job array sets
// SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_MIN and SLURM_ARRAY_TASK_COUNT
// (I = TASK_ID − TASK_MIN, N = TASK_COUNT; the array must be a range with
// step 1, such as --array=0-7). N = 1 is the whole sweep, an ordinary run:
// --shard 0/1 keeps a task of an array that trains a file of its own from
// being sharded.
//
// The shards of one launch share a sweep uid, by which runner merge knows
// they are one sweep: $RUNNER_SWEEP_UID, else the Slurm array job
// (slurm:CLUSTER:ARRAY_JOB_ID), else one derived from the spec and N, the
// same for every launch of it (see runUsage).

import (
	"container/heap"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"runner/internal/store"
	"runner/internal/train"
)

// The environment variables that choose a shard.
const (
	envJobIndex     = "JOB_COMPLETION_INDEX" // Kubernetes Indexed Job
	envShards       = "RUNNER_SHARDS"        // N for a Kubernetes Indexed Job
	envSweepUID     = "RUNNER_SWEEP_UID"     // the launch's sweep uid, shared by its shards
	envSlurmTask    = "SLURM_ARRAY_TASK_ID"
	envSlurmMin     = "SLURM_ARRAY_TASK_MIN"
	envSlurmMax     = "SLURM_ARRAY_TASK_MAX"
	envSlurmCount   = "SLURM_ARRAY_TASK_COUNT"
	envSlurmStep    = "SLURM_ARRAY_TASK_STEP"
	envSlurmJob     = "SLURM_ARRAY_JOB_ID"
	envSlurmCluster = "SLURM_CLUSTER_NAME"
)

// shard is the slice of every sweep this process trains.
type shard struct {
	index, count int
	from         string // what chose it, for the log
	uid          string // the launch's sweep uid; "" derives one per sweep
}

// selectShard returns the shard chosen by the flags --shard (flagShard, "I/N")
// and --shards (flagShards, 0 if not given) or by the environment, or nil
// when the sweeps are not sharded.
func selectShard(flagShard string, flagShards int, getenv func(string) string) (*shard, error) {
	if flagShards < 0 {
		return nil, fmt.Errorf("--shards must be at least 1 (got %d)", flagShards)
	}
	s := &shard{}
	switch {
	case flagShard != "":
		i, n, err := parseShard(flagShard)
		if err != nil {
			return nil, err
		}
		if flagShards != 0 && flagShards != n {
			return nil, fmt.Errorf("--shard %s and --shards %d disagree", flagShard, flagShards)
		}
		s.index, s.count, s.from = i, n, "--shard "+flagShard
	case getenv(envJobIndex) != "":
		i, err := envInt(getenv, envJobIndex)
		if err != nil {
			return nil, err
		}
		n, from := flagShards, "--shards"
		if n == 0 && getenv(envShards) != "" {
			if n, err = envInt(getenv, envShards); err != nil {
				return nil, err
			}
			from = envShards
		}
		if n == 0 {
			return nil, fmt.Errorf("%s is set (a Kubernetes Indexed Job) but not the number of shards: pass --shards N"+
				" or set %s to the Job's completions (or --shard 0/1 to train every run)", envJobIndex, envShards)
		}
		s.index, s.count, s.from = i, n, fmt.Sprintf("%s=%d, %s=%d", envJobIndex, i, from, n)
	case getenv(envSlurmTask) != "":
		var id, lo, n int
		for _, v := range []struct {
			name string
			dst  *int
		}{{envSlurmTask, &id}, {envSlurmMin, &lo}, {envSlurmCount, &n}} {
			if getenv(v.name) == "" {
				return nil, fmt.Errorf("%s is set (a Slurm job array) but not %s; pass --shard I/N", envSlurmTask, v.name)
			}
			var err error
			if *v.dst, err = envInt(getenv, v.name); err != nil {
				return nil, err
			}
		}
		if step := getenv(envSlurmStep); step != "" && step != "1" {
			return nil, fmt.Errorf("the Slurm array has %s=%s: shards need a range with step 1, such as --array=0-%d", envSlurmStep, step, n-1)
		}
		if hi := getenv(envSlurmMax); hi != "" && hi != strconv.Itoa(lo+n-1) {
			return nil, fmt.Errorf("the Slurm array's tasks are not a range (%s=%s, %s=%s, %s=%d):"+
				" shards need one with step 1, such as --array=0-%d", envSlurmMin, getenv(envSlurmMin), envSlurmMax, hi, envSlurmCount, n, n-1)
		}
		if flagShards != 0 && flagShards != n {
			return nil, fmt.Errorf("--shards %d and %s=%d disagree", flagShards, envSlurmCount, n)
		}
		s.index, s.count = id-lo, n
		s.from = fmt.Sprintf("%s=%d − %s=%d, %s=%d", envSlurmTask, id, envSlurmMin, lo, envSlurmCount, n)
	case flagShards != 0:
		return nil, fmt.Errorf("--shards %d needs the shard's index: --shard I/N, or %s", flagShards, envJobIndex)
	default:
		return nil, nil
	}
	if s.count < 1 {
		return nil, fmt.Errorf("shard %d/%d (%s): the number of shards must be at least 1", s.index, s.count, s.from)
	}
	if s.index < 0 || s.index >= s.count {
		return nil, fmt.Errorf("shard %d/%d (%s): the index must be in 0 … %d, the shards counted from 0", s.index, s.count, s.from, s.count-1)
	}
	if s.count == 1 {
		return nil, nil // the whole sweep
	}
	if s.uid = getenv(envSweepUID); s.uid == "" && getenv(envSlurmJob) != "" {
		s.uid = "slurm:" + getenv(envSlurmCluster) + ":" + getenv(envSlurmJob)
	}
	return s, nil
}

// parseShard parses "I/N".
func parseShard(v string) (i, n int, err error) {
	a, b, ok := strings.Cut(v, "/")
	if ok {
		if i, err = strconv.Atoi(a); err == nil {
			n, err = strconv.Atoi(b)
		}
	}
	if !ok || err != nil {
		return 0, 0, fmt.Errorf("--shard %q: want I/N, such as 0/4 (shard I of N, counted from 0)", v)
	}
	return i, n, nil
}

func envInt(getenv func(string) string, name string) (int, error) {
	v := getenv(name)
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		return 0, fmt.Errorf("%s=%q: not an integer", name, v)
	}
	return n, nil
}

// of returns the shard as the store records it for sweep e; nil for nil.
func (s *shard) of(e expanded) *store.Shard {
	if s == nil {
		return nil
	}
	uid := s.uid
	if uid == "" {
		uid = fmt.Sprintf("spec:%.16s:%d", e.spec.Hash(), s.count)
	}
	return &store.Shard{Index: s.index, Count: s.count, UID: uid}
}

// slice keeps of every sweep the runs of the shard, in the sweep's order,
// and says so; a nil shard keeps them all.
func (s *shard) slice(specs []expanded, out *output) []expanded {
	if s == nil {
		return specs
	}
	sliced := make([]expanded, len(specs))
	for i, e := range specs {
		keys := make([]string, len(e.configs))
		for k, c := range e.configs {
			keys[k] = c.Key()
		}
		var mine []train.Config
		for k, owner := range partition(keys, s.count) {
			if owner == s.index {
				mine = append(mine, e.configs[k])
			}
		}
		out.logf("shard %d/%d (%s) of %s: %d of its %d runs; sweep uid %s",
			s.index, s.count, s.from, e.spec.File, len(mine), len(e.configs), s.of(e).UID)
		if len(mine) == 0 {
			out.logf("shard %d/%d of %s: nothing to do (%d runs for %d shards); recording it as an empty shard",
				s.index, s.count, e.spec.File, len(e.configs), s.count)
		}
		sliced[i] = expanded{spec: e.spec, configs: mine}
	}
	return sliced
}

// partition assigns each of keys to one of n shards by rendezvous hashing
// with bounded loads (see the comment at the top of this file) and returns
// the shard of each. It depends on the set of keys and n only, not on
// their order; equal keys go to shards as if they differed.
func partition(keys []string, n int) []int {
	owner := make([]int, len(keys))
	if n <= 1 {
		return owner
	}
	room := make([]int, n)
	for j := range room {
		room[j] = len(keys) / n
		if j < len(keys)%n {
			room[j]++
		}
	}
	h := &candidates{keys: keys, hash: make([]uint64, len(keys))}
	for i, k := range keys {
		sum := sha256.Sum256([]byte(k))
		h.hash[i] = binary.BigEndian.Uint64(sum[:8])
		h.items = append(h.items, h.next(i, n, candidate{key: i, shard: -1, weight: ^uint64(0)}))
	}
	heap.Init(h)
	for h.Len() > 0 {
		c := heap.Pop(h).(candidate)
		if room[c.shard] > 0 {
			room[c.shard]--
			owner[c.key] = c.shard
			continue
		}
		heap.Push(h, h.next(c.key, n, c)) // the shard is full: the key's next heaviest
	}
	return owner
}

// A candidate is a pair of a key and a shard, with its weight.
type candidate struct {
	key, shard int
	weight     uint64
}

// candidates is a heap of the heaviest pair of each unassigned key not yet
// refused, the heaviest on top; ties go to the lower key, then shard.
type candidates struct {
	keys  []string
	hash  []uint64 // of each key
	items []candidate
}

// heavier orders pairs: by weight, then key, then shard.
func (h *candidates) heavier(a, b candidate) bool {
	if a.weight != b.weight {
		return a.weight > b.weight
	}
	if a.key != b.key && h.keys[a.key] != h.keys[b.key] {
		return h.keys[a.key] < h.keys[b.key]
	}
	if a.key != b.key {
		return a.key < b.key
	}
	return a.shard < b.shard
}

// next returns the heaviest pair of key below the pair after.
func (h *candidates) next(key, n int, after candidate) candidate {
	best := candidate{key: key, shard: -1}
	for j := range n {
		c := candidate{key: key, shard: j, weight: weight(h.hash[key], j)}
		if (after.shard < 0 || h.heavier(after, c)) && (best.shard < 0 || h.heavier(c, best)) {
			best = c
		}
	}
	if best.shard < 0 {
		panic(errors.New("partition: a key found every shard full")) // cannot be: the rooms add up to the keys
	}
	return best
}

func (h *candidates) Len() int           { return len(h.items) }
func (h *candidates) Less(i, j int) bool { return h.heavier(h.items[i], h.items[j]) }
func (h *candidates) Swap(i, j int)      { h.items[i], h.items[j] = h.items[j], h.items[i] }
func (h *candidates) Push(x any)         { h.items = append(h.items, x.(candidate)) }
func (h *candidates) Pop() any {
	c := h.items[len(h.items)-1]
	h.items = h.items[:len(h.items)-1]
	return c
}

// weight is the weight of the pair of a key (by its hash) and shard j: a
// 64-bit mix of both (SplitMix64's finalizer), the same on every machine.
func weight(key uint64, j int) uint64 {
	return mix64(key ^ mix64(uint64(j)+0x9e3779b97f4a7c15))
}

func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}
