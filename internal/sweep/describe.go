package sweep

import (
	"math"
	"strconv"
	"strings"

	"runner/internal/train"
)

// Describe names a run by the hyperparameters that vary across its sweep
// (see Varying), e.g. "optimizer=adam lr=0.001 schedule=cosine seed=2",
// each as Short gives it; "the only configuration" when none does.
func Describe(c train.Config, varying []string) string {
	parts := make([]string, 0, len(varying))
	for _, name := range varying {
		if v := Short(c, name); v != "" {
			parts = append(parts, name+"="+v)
		}
	}
	if len(parts) == 0 && len(varying) > 0 {
		// Only Short's dropped values tell it apart (warmup=0): give them.
		for _, name := range varying {
			if v := Param(c, name); v != "" {
				parts = append(parts, name+"="+v)
			}
		}
	}
	if len(parts) == 0 {
		return "the only configuration"
	}
	return strings.Join(parts, " ")
}

// Short is Param for people: the one rule by which log lines, legends,
// labels and tables show a hyperparameter. A number with a fractional part
// is given to 4 significant digits (a random search draws lr =
// 0.006127394012345678, shown 0.006127), unless its shortest form is
// already as short; whole numbers stay whole (train_limit 60000). A
// warm-up of 0 epochs, which means none, is "" like a hyperparameter the
// run does not take, so that labels do not say warmup=0.
func Short(c train.Config, name string) string {
	v := Param(c, name)
	if name == "warmup" && v == "0" {
		return ""
	}
	return ShortNumber(v)
}

// ShortNumber gives the number v (in any form strconv.ParseFloat reads) to
// 4 significant digits, as Short does; anything else is returned as it is.
func ShortNumber(v string) string {
	x, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsInf(x, 0) || math.IsNaN(x) || x == math.Trunc(x) {
		return v
	}
	if s := strconv.FormatFloat(x, 'g', 4, 64); len(s) < len(v) {
		return s
	}
	return v
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
