package shard

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"

	"runner/internal/store"
	"runner/internal/sweep"
)

func TestSelect(t *testing.T) {
	slurm := map[string]string{EnvSlurmJob: "77", EnvSlurmCluster: "c", EnvSlurmTask: "5", EnvSlurmMin: "4",
		EnvSlurmMax: "6", EnvSlurmCount: "3", EnvSlurmStep: "1"}
	with := func(base map[string]string, kv ...string) map[string]string {
		env := map[string]string{}
		for k, v := range base {
			env[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			env[kv[i]] = kv[i+1]
		}
		return env
	}
	for _, tt := range []struct {
		name   string
		shard  string
		shards int
		env    map[string]string
		want   string // "I/N uid", "none", or an error's text
		from   string // the shard's From, when not ""
	}{
		{name: "nothing", want: "none"},
		{name: "flag", shard: "1/3", want: "1/3 ", from: "--shard 1/3"},
		{name: "flag with --shards", shard: "1/3", shards: 3, want: "1/3 "},
		{name: "flag, uid", shard: "1/3", env: map[string]string{EnvSweepUID: "abc"}, want: "1/3 abc"},
		{name: "one shard is the whole sweep", shard: "0/1", want: "none"},
		{name: "index too large", shard: "3/3", want: "shard 3/3 (--shard 3/3): the index must be in 0 … 2"},
		{name: "negative index", shard: "-1/3", want: "the index must be in 0 … 2"},
		{name: "no shards", shard: "0/0", want: "shard 0/0 (--shard 0/0): the number of shards must be at least 1"},
		{name: "not I/N", shard: "1of3", want: `--shard "1of3": want I/N`},
		{name: "flags disagree", shard: "1/3", shards: 4, want: "--shard 1/3 and --shards 4 disagree"},
		{name: "--shards alone", shards: 3, want: "--shards 3 needs the shard's index"},
		{name: "negative --shards", shards: -1, want: "--shards must be at least 1"},

		{name: "kubernetes", env: map[string]string{EnvJobIndex: "2", EnvShards: "4"}, want: "2/4 ", from: "JOB_COMPLETION_INDEX=2, RUNNER_SHARDS=4"},
		{name: "kubernetes, --shards", shards: 5, env: map[string]string{EnvJobIndex: "2", EnvShards: "4"}, want: "2/5 ", from: "JOB_COMPLETION_INDEX=2, --shards=5"},
		{name: "kubernetes, uid", env: map[string]string{EnvJobIndex: "0", EnvShards: "2", EnvSweepUID: "0c4e-job-uid"}, want: "0/2 0c4e-job-uid"},
		{name: "kubernetes without N", env: map[string]string{EnvJobIndex: "2"}, want: "JOB_COMPLETION_INDEX is set (a Kubernetes Indexed Job) but not the number of shards: pass --shards N or set RUNNER_SHARDS"},
		{name: "kubernetes index out of range", env: map[string]string{EnvJobIndex: "4", EnvShards: "4"}, want: "shard 4/4 (JOB_COMPLETION_INDEX=4, RUNNER_SHARDS=4): the index must be in 0 … 3"},
		{name: "kubernetes bad index", env: map[string]string{EnvJobIndex: "two", EnvShards: "4"}, want: `JOB_COMPLETION_INDEX="two": not an integer`},
		{name: "kubernetes before slurm", env: with(slurm, EnvJobIndex, "1", EnvShards, "2"), want: "1/2 slurm:c:77"},

		{name: "slurm", env: slurm, want: "1/3 slurm:c:77", from: "SLURM_ARRAY_TASK_ID=5 − SLURM_ARRAY_TASK_MIN=4, SLURM_ARRAY_TASK_COUNT=3"},
		{name: "slurm first task", env: with(slurm, EnvSlurmTask, "4"), want: "0/3 slurm:c:77"},
		{name: "slurm without max and step", env: with(slurm, EnvSlurmMax, "", EnvSlurmStep, ""), want: "1/3 slurm:c:77"},
		{name: "slurm uid", env: with(slurm, EnvSweepUID, "mine"), want: "1/3 mine"},
		{name: "slurm flag wins", shard: "2/5", env: slurm, want: "2/5 slurm:c:77", from: "--shard 2/5"},
		{name: "slurm --shards agrees", shards: 3, env: slurm, want: "1/3 slurm:c:77"},
		{name: "slurm --shards disagrees", shards: 4, env: slurm, want: "--shards 4 and SLURM_ARRAY_TASK_COUNT=3 disagree"},
		{name: "slurm one task", env: with(slurm, EnvSlurmTask, "4", EnvSlurmMax, "4", EnvSlurmCount, "1"), want: "none"},
		{name: "slurm step", env: with(slurm, EnvSlurmStep, "2"), want: "SLURM_ARRAY_TASK_STEP=2: shards need a range with step 1, such as --array=0-2"},
		{name: "slurm list", env: with(slurm, EnvSlurmMin, "1", EnvSlurmMax, "9"), want: "tasks are not a range"},
		{name: "slurm without count", env: with(slurm, EnvSlurmCount, ""), want: "SLURM_ARRAY_TASK_ID is set (a Slurm job array) but not SLURM_ARRAY_TASK_COUNT"},
		{name: "slurm without min", env: with(slurm, EnvSlurmMin, ""), want: "but not SLURM_ARRAY_TASK_MIN"},
		{name: "slurm bad id", env: with(slurm, EnvSlurmTask, "5a"), want: `SLURM_ARRAY_TASK_ID="5a": not an integer`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Select(tt.shard, tt.shards, func(k string) string { return tt.env[k] })
			var got string
			switch {
			case err != nil:
				got = err.Error()
			case s == nil:
				got = "none"
			default:
				got = fmt.Sprintf("%d/%d %s", s.Index, s.Count, s.UID)
			}
			if got != tt.want && (err == nil || !strings.Contains(got, tt.want)) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			if tt.from != "" && (s == nil || s.From != tt.from) {
				t.Errorf("got %+v, want From %q", s, tt.from)
			}
		})
	}
}

func TestRecord(t *testing.T) {
	const hash = "0123456789abcdef0123456789abcdef"
	for _, tt := range []struct {
		name  string
		shard *Shard
		want  *store.Shard
	}{
		{name: "not sharded", shard: nil, want: nil},
		{name: "uid", shard: &Shard{Index: 1, Count: 3, From: "--shard 1/3", UID: "slurm:c:77"},
			want: &store.Shard{Index: 1, Count: 3, UID: "slurm:c:77"}},
		{name: "uid from the spec", shard: &Shard{Index: 0, Count: 4},
			want: &store.Shard{Index: 0, Count: 4, UID: "spec:0123456789abcdef:4"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.shard.Record(hash)
			if (got == nil) != (tt.want == nil) || got != nil && *got != *tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
			if got != nil {
				if err := got.Validate(); err != nil {
					t.Errorf("the store refuses the shard: %v", err)
				}
			}
		})
	}
}

func TestOwns(t *testing.T) {
	keys := testKeys(10, 3)
	owner := Partition(keys, 3)
	for _, tt := range []struct {
		name  string
		shard *Shard
		want  []int
	}{
		{name: "not sharded", shard: nil, want: []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}},
		{name: "shard 0", shard: &Shard{Index: 0, Count: 3}, want: ownedBy(owner, 0)},
		{name: "shard 1", shard: &Shard{Index: 1, Count: 3}, want: ownedBy(owner, 1)},
		{name: "shard 2", shard: &Shard{Index: 2, Count: 3}, want: ownedBy(owner, 2)},
		{name: "more shards than keys", shard: &Shard{Index: 11, Count: 12}, want: nil}, // shards 0 … 9 have room for one each
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.shard.Owns(keys); !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
	if got := (*Shard)(nil).Owns(nil); len(got) != 0 {
		t.Errorf("a nil shard owns %v of no keys", got)
	}
}

// ownedBy returns the indices of owner that hold shard j.
func ownedBy(owner []int, j int) []int {
	var idx []int
	for i, o := range owner {
		if o == j {
			idx = append(idx, i)
		}
	}
	return idx
}

// testKeys returns n run keys such as a sweep has.
func testKeys(n, salt int) []string {
	keys := make([]string, n)
	for i := range keys {
		sum := sha256.Sum256(fmt.Appendf(nil, "%d/%d", salt, i))
		keys[i] = hex.EncodeToString(sum[:8])
	}
	return keys
}

// Every run is in exactly one shard, the shards differ in size by one at
// most, and the cut depends on the set of keys only.
func TestPartition(t *testing.T) {
	for n := 1; n <= 13; n++ {
		for m := 0; m <= 40; m += 1 + m/8 {
			keys := testKeys(m, n)
			owner := Partition(keys, n)
			size := make([]int, n)
			for i, o := range owner {
				if o < 0 || o >= n {
					t.Fatalf("n=%d m=%d: key %d in shard %d", n, m, i, o)
				}
				size[o]++
			}
			if lo, hi := slices.Min(size), slices.Max(size); hi-lo > 1 {
				t.Errorf("n=%d m=%d: shard sizes %v", n, m, size)
			}
			shuffled := slices.Clone(keys)
			rand.New(rand.NewPCG(uint64(n), uint64(m))).Shuffle(len(shuffled), func(i, j int) {
				shuffled[i], shuffled[j] = shuffled[j], shuffled[i]
			})
			again := Partition(shuffled, n)
			for i, k := range shuffled {
				if want := owner[slices.Index(keys, k)]; again[i] != want {
					t.Fatalf("n=%d m=%d: key %s in shard %d, shuffled in %d", n, m, k, want, again[i])
				}
			}
		}
	}
}

// Partition is what its comment says: the pairs of all keys and shards
// taken from the heaviest down, each key to the first with room.
func TestPartition_Definition(t *testing.T) {
	for _, tt := range []struct{ m, n int }{{10, 3}, {31, 4}, {64, 8}, {5, 7}, {100, 6}} {
		keys := testKeys(tt.m, tt.n)
		type pair struct {
			key, shard int
			w          uint64
		}
		var pairs []pair
		for i, k := range keys {
			sum := sha256.Sum256([]byte(k))
			h := uint64(0)
			for _, b := range sum[:8] {
				h = h<<8 | uint64(b)
			}
			for j := range tt.n {
				pairs = append(pairs, pair{i, j, weight(h, j)})
			}
		}
		sort.Slice(pairs, func(a, b int) bool {
			if pairs[a].w != pairs[b].w {
				return pairs[a].w > pairs[b].w
			}
			if pairs[a].key != pairs[b].key {
				return keys[pairs[a].key] < keys[pairs[b].key]
			}
			return pairs[a].shard < pairs[b].shard
		})
		room := make([]int, tt.n)
		for j := range room {
			room[j] = tt.m/tt.n + b2i(j < tt.m%tt.n)
		}
		want := make([]int, tt.m)
		for i := range want {
			want[i] = -1
		}
		for _, p := range pairs {
			if want[p.key] < 0 && room[p.shard] > 0 {
				want[p.key] = p.shard
				room[p.shard]--
			}
		}
		if got := Partition(keys, tt.n); !slices.Equal(got, want) {
			t.Errorf("m=%d n=%d: partition %v, by definition %v", tt.m, tt.n, got, want)
		}
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// The shards of runs are the same on every machine and in every release:
// a change to the hash or the weights would split a launch whose shards
// run different builds, so the cut of a few sweeps is pinned here.
func TestPartition_Pinned(t *testing.T) {
	for _, tt := range []struct {
		m, n int
		want string
	}{
		{10, 3, "[0 1 0 1 2 0 2 1 0 2]"},
		{13, 4, "[0 2 1 2 0 1 3 3 0 2 3 0 1]"},
		{20, 7, "[4 4 4 3 2 5 6 3 3 2 0 0 1 1 0 5 6 5 2 1]"},
		{5, 8, "[3 2 0 4 1]"},
	} {
		got := fmt.Sprint(Partition(testKeys(tt.m, tt.n), tt.n))
		if got != tt.want {
			t.Errorf("m=%d n=%d: partition %s, want %s", tt.m, tt.n, got, tt.want)
		}
	}
}

// Adding a seed to a sweep moves few of its runs between shards, far fewer
// than dealing them out by position would; and every shard's runs keep the
// sweep's order.
func TestPartition_AddingASeed(t *testing.T) {
	const grid = `
name: g
optimizers:
  - {name: sgd, lr: [0.1, 0.01]}
  - {name: momentum, lr: [0.01, 0.001]}
  - {name: nesterov, lr: [0.01, 0.001]}
  - {name: adagrad, lr: [0.1, 0.01]}
  - {name: rmsprop, lr: [0.001, 0.0001]}
  - {name: adam, lr: [0.001, 0.0001]}
schedules: [{name: constant}, {name: step, every: 4}, {name: cosine}]
`
	// expand returns the run keys of the grid with the given seeds, in the
	// sweep's order.
	expand := func(seeds string) []string {
		spec, err := sweep.Parse("g.yaml", []byte(grid), []string{"train.seeds=" + seeds})
		if err != nil {
			t.Fatal(err)
		}
		configs, err := spec.Expand(0)
		if err != nil {
			t.Fatal(err)
		}
		keys := make([]string, len(configs))
		for i, c := range configs {
			keys[i] = c.Key()
		}
		return keys
	}
	before, after := expand("[1, 2, 3]"), expand("[1, 2, 3, 4]")
	for n := 2; n <= 8; n++ {
		shardOf := func(keys []string) map[string]int {
			m := map[string]int{}
			for i := range n {
				s := &Shard{Index: i, Count: n}
				pos := -1
				for _, p := range s.Owns(keys) {
					k := keys[p]
					if _, dup := m[k]; dup {
						t.Fatalf("n=%d: run %s in two shards", n, k)
					}
					m[k] = i
					if p <= pos {
						t.Fatalf("n=%d: shard %d is not in the sweep's order", n, i)
					}
					pos = p
				}
			}
			if len(m) != len(keys) {
				t.Fatalf("n=%d: the shards hold %d of %d runs", n, len(m), len(keys))
			}
			return m
		}
		a, b := shardOf(before), shardOf(after)
		moved, dealt := 0, 0
		for i, k := range before {
			if a[k] != b[k] {
				moved++
			}
			// By position: run i goes to shard i mod n, before and after.
			if j := slices.Index(after, k); i%n != j%n {
				dealt++
			}
		}
		frac := float64(moved) / float64(len(before))
		t.Logf("N=%d: %d of %d runs move (%.0f%%); by position %d", n, moved, len(before), 100*frac, dealt)
		if frac > 0.15 || moved*3 > dealt {
			t.Errorf("N=%d: adding a seed moves %d of %d runs (by position: %d)", n, moved, len(before), dealt)
		}
	}
}
