package sweep

import (
	"strings"

	"runner/internal/train"
)

// Describe names a run by the hyperparameters that vary across its sweep
// (see Varying), e.g. "optimizer=adam lr=0.001 schedule=cosine seed=2";
// "the only configuration" when none does.
func Describe(c train.Config, varying []string) string {
	parts := make([]string, 0, len(varying))
	for _, name := range varying {
		if v := Param(c, name); v != "" {
			parts = append(parts, name+"="+v)
		}
	}
	if len(parts) == 0 {
		return "the only configuration"
	}
	return strings.Join(parts, " ")
}

// RunOrder gives the position of every run of a recorded sweep in its
// sweep's order, by run key, by expanding the spec recorded with it (its
// file name, YAML text and overrides), or nil when that spec does not
// expand to the sweep it hashed to (another runner's parser, a spec written
// by hand) or to more than maxOrderRuns runs.
func RunOrder(file, spec string, overrides []string, specHash string) map[string]int {
	s, err := Parse(file, []byte(spec), overrides)
	if err != nil || s.Hash() != specHash {
		return nil
	}
	n, err := s.Count()
	if err != nil || n > maxOrderRuns {
		return nil
	}
	configs, err := s.Expand(n)
	if err != nil {
		return nil
	}
	pos := make(map[string]int, len(configs))
	for i, c := range configs {
		pos[c.Key()] = i
	}
	return pos
}

// maxOrderRuns bounds the sweeps RunOrder expands.
const maxOrderRuns = 1_000_000
