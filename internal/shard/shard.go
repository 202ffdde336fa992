// Package shard chooses the slice of every sweep a process trains when a
// sweep is sharded, and cuts the sweeps into slices.
//
// `runner run --shard I/N` trains slice I (0-based) of N of every sweep it
// is given, so that N processes on N machines train a sweep between them,
// each into its own database, which `runner merge` combines.
//
// # How the slices are cut
//
// The slices are cut by run key, not by position, so that they depend on
// the set of runs only, and adding a seed or a learning rate to a sweep
// moves few of the runs it had from one shard to another. The cut
// ([Partition]) is rendezvous (highest random weight) hashing with bounded
// loads: every pair of a run and a shard gets a weight, a hash of the run's
// key and the shard's number; the pairs are taken from the heaviest down,
// and a run goes to the first shard of its pairs that still has room. A
// shard has room for ⌊R/N⌋ of the R runs, and shards 0 … (R mod N) − 1 for
// one more, so the slices differ in size by one at most, for any N. Without
// the bound, a run would always go to its heaviest shard (plain rendezvous
// hashing: no run moves when runs are added, but the slices are uneven by
// about √(R/N)); with it, a run goes elsewhere only when its shard is full,
// and adding runs moves a few of the others: adding a fourth seed to a grid
// of 36 configurations moves 2 to 11% of its 108 runs for N = 2 … 8, where
// dealing them out by position would move 50 to 86%
// (TestPartition_AddingASeed).
//
// # The environment
//
// Without --shard the slice comes from the environment of the engines
// people run ([Select]): a Kubernetes Indexed Job sets JOB_COMPLETION_INDEX
// (the number of shards, the Job's completions, is not in the environment:
// pass --shards N or set RUNNER_SHARDS); a Slurm job array sets
// SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_MIN and SLURM_ARRAY_TASK_COUNT
// (I = TASK_ID − TASK_MIN, N = TASK_COUNT; the array must be a range with
// step 1, such as --array=0-7). N = 1 is the whole sweep, an ordinary run:
// --shard 0/1 keeps a task of an array that trains a file of its own from
// being sharded.
//
// # The sweep uid
//
// The shards of one launch share a sweep uid, by which runner merge knows
// they are one sweep: $RUNNER_SWEEP_UID, else the Slurm array job
// (slurm:CLUSTER:ARRAY_JOB_ID), else one derived from the spec and N, the
// same for every launch of it ([Shard.Record]).
package shard

import (
	"fmt"
	"strconv"
	"strings"

	"runner/internal/store"
)

// The environment variables that choose a shard or its sweep uid.
const (
	EnvJobIndex     = "JOB_COMPLETION_INDEX"   // the index of a Kubernetes Indexed Job
	EnvShards       = "RUNNER_SHARDS"          // N for a Kubernetes Indexed Job
	EnvSweepUID     = "RUNNER_SWEEP_UID"       // the launch's sweep uid, shared by its shards
	EnvSlurmTask    = "SLURM_ARRAY_TASK_ID"    // the task of a Slurm job array
	EnvSlurmMin     = "SLURM_ARRAY_TASK_MIN"   // the array's first task
	EnvSlurmMax     = "SLURM_ARRAY_TASK_MAX"   // the array's last task
	EnvSlurmCount   = "SLURM_ARRAY_TASK_COUNT" // the array's number of tasks, N
	EnvSlurmStep    = "SLURM_ARRAY_TASK_STEP"  // the array's step, which must be 1
	EnvSlurmJob     = "SLURM_ARRAY_JOB_ID"     // the array job, part of the sweep uid
	EnvSlurmCluster = "SLURM_CLUSTER_NAME"     // the cluster, part of the sweep uid
)

// Shard is the slice of every sweep a process trains: slice Index of
// Count.
type Shard struct {
	// Index is the shard's number, counted from 0; Count is the number of
	// shards, at least 2 for a Shard that Select returns.
	Index, Count int
	// From says what chose the shard (the flags or the environment
	// variables, with their values), for the log.
	From string
	// UID is the launch's sweep uid, shared by its shards; "" derives one
	// per sweep from its spec (see Record).
	UID string
}

// Select returns the shard chosen by the flags --shard (flagShard, "I/N")
// and --shards (flagShards, 0 if not given) or, without --shard, by the
// environment that getenv reads (see the package comment), or nil when the
// sweeps are not sharded, N = 1 included.
func Select(flagShard string, flagShards int, getenv func(string) string) (*Shard, error) {
	if flagShards < 0 {
		return nil, fmt.Errorf("--shards must be at least 1 (got %d)", flagShards)
	}
	s := &Shard{}
	switch {
	case flagShard != "":
		i, n, err := parseShard(flagShard)
		if err != nil {
			return nil, err
		}
		if flagShards != 0 && flagShards != n {
			return nil, fmt.Errorf("--shard %s and --shards %d disagree", flagShard, flagShards)
		}
		s.Index, s.Count, s.From = i, n, "--shard "+flagShard
	case getenv(EnvJobIndex) != "":
		i, err := envInt(getenv, EnvJobIndex)
		if err != nil {
			return nil, err
		}
		n, from := flagShards, "--shards"
		if n == 0 && getenv(EnvShards) != "" {
			if n, err = envInt(getenv, EnvShards); err != nil {
				return nil, err
			}
			from = EnvShards
		}
		if n == 0 {
			return nil, fmt.Errorf("%s is set (a Kubernetes Indexed Job) but not the number of shards: pass --shards N"+
				" or set %s to the Job's completions (or --shard 0/1 to train every run)", EnvJobIndex, EnvShards)
		}
		s.Index, s.Count, s.From = i, n, fmt.Sprintf("%s=%d, %s=%d", EnvJobIndex, i, from, n)
	case getenv(EnvSlurmTask) != "":
		var id, lo, n int
		for _, v := range []struct {
			name string
			dst  *int
		}{{EnvSlurmTask, &id}, {EnvSlurmMin, &lo}, {EnvSlurmCount, &n}} {
			if getenv(v.name) == "" {
				return nil, fmt.Errorf("%s is set (a Slurm job array) but not %s; pass --shard I/N", EnvSlurmTask, v.name)
			}
			var err error
			if *v.dst, err = envInt(getenv, v.name); err != nil {
				return nil, err
			}
		}
		if step := getenv(EnvSlurmStep); step != "" && step != "1" {
			return nil, fmt.Errorf("the Slurm array has %s=%s: shards need a range with step 1, such as --array=0-%d", EnvSlurmStep, step, n-1)
		}
		if hi := getenv(EnvSlurmMax); hi != "" && hi != strconv.Itoa(lo+n-1) {
			return nil, fmt.Errorf("the Slurm array's tasks are not a range (%s=%s, %s=%s, %s=%d):"+
				" shards need one with step 1, such as --array=0-%d", EnvSlurmMin, getenv(EnvSlurmMin), EnvSlurmMax, hi, EnvSlurmCount, n, n-1)
		}
		if flagShards != 0 && flagShards != n {
			return nil, fmt.Errorf("--shards %d and %s=%d disagree", flagShards, EnvSlurmCount, n)
		}
		s.Index, s.Count = id-lo, n
		s.From = fmt.Sprintf("%s=%d − %s=%d, %s=%d", EnvSlurmTask, id, EnvSlurmMin, lo, EnvSlurmCount, n)
	case flagShards != 0:
		return nil, fmt.Errorf("--shards %d needs the shard's index: --shard I/N, or %s", flagShards, EnvJobIndex)
	default:
		return nil, nil
	}
	if s.Count < 1 {
		return nil, fmt.Errorf("shard %d/%d (%s): the number of shards must be at least 1", s.Index, s.Count, s.From)
	}
	if s.Index < 0 || s.Index >= s.Count {
		return nil, fmt.Errorf("shard %d/%d (%s): the index must be in 0 … %d, the shards counted from 0", s.Index, s.Count, s.From, s.Count-1)
	}
	if s.Count == 1 {
		return nil, nil // the whole sweep
	}
	if s.UID = getenv(EnvSweepUID); s.UID == "" && getenv(EnvSlurmJob) != "" {
		s.UID = "slurm:" + getenv(EnvSlurmCluster) + ":" + getenv(EnvSlurmJob)
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

// envInt reads the environment variable name as an integer.
func envInt(getenv func(string) string, name string) (int, error) {
	v := getenv(name)
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		return 0, fmt.Errorf("%s=%q: not an integer", name, v)
	}
	return n, nil
}

// Record returns the shard as the store records it for the sweep whose
// spec has the hash specHash: without a UID, the sweep uid is derived from
// the spec and the number of shards, "spec:HASH16:N", the same for every
// launch of the spec. A nil s is nil, an unsharded sweep.
func (s *Shard) Record(specHash string) *store.Shard {
	if s == nil {
		return nil
	}
	uid := s.UID
	if uid == "" {
		uid = fmt.Sprintf("spec:%.16s:%d", specHash, s.Count)
	}
	return &store.Shard{Index: s.Index, Count: s.Count, UID: uid}
}

// Owns returns the indices, in increasing order, of the run keys of one
// sweep that the shard trains, as Partition cuts them; a nil s owns them
// all.
func (s *Shard) Owns(keys []string) []int {
	if s == nil {
		all := make([]int, len(keys))
		for i := range all {
			all[i] = i
		}
		return all
	}
	var mine []int
	for i, owner := range Partition(keys, s.Count) {
		if owner == s.Index {
			mine = append(mine, i)
		}
	}
	return mine
}
