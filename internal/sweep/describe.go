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
