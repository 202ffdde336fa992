package train

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Config is everything one training run depends on. It is fully explicit:
// the trainer applies no defaults, so the same Config (and the binary) gives
// the same metrics. internal/sweep fills in the defaults and produces one
// Config per run; its canonical JSON is stored in results.db and its Key is
// the run's identity for resume and merge.
type Config struct {
	Dataset   DatasetConfig   `json:"dataset"`
	Model     ModelConfig     `json:"model"`
	Optimizer OptimizerConfig `json:"optimizer"`
	Schedule  ScheduleConfig  `json:"schedule"`
	Epochs    int             `json:"epochs"`
	BatchSize int             `json:"batch_size"`
	Seed      int64           `json:"seed"` // init, shuffle and dropout streams derive from it

	// LogSteps, when positive, makes the trainer report the minibatch loss
	// of every LogSteps-th step (EpochMetrics.Steps). It is a logging
	// option, not part of the run: it changes no metric and is left out of
	// the canonical JSON and the key.
	LogSteps int `json:"-"`

	// LogLayers makes the trainer report the statistics of every hidden
	// layer at epoch 0 and after every epoch (EpochMetrics.Layers). Like
	// LogSteps it is a logging option: it changes no metric and is left out
	// of the canonical JSON and the key.
	LogLayers bool `json:"-"`
}

// DatasetConfig says which images a run trains and evaluates on, or, for
// Name "function", which objective function it minimizes: then each epoch
// is one optimizer step from Start, and the image fields are zero.
type DatasetConfig struct {
	Name       string  `json:"name"`        // "mnist" or "function"
	TrainLimit int     `json:"train_limit"` // first N training images; 0 = all
	Validation float64 `json:"validation"`  // fraction of the (limited) training images held out
	SplitSeed  int64   `json:"split_seed"`  // seeds the shuffle that picks the validation images

	Function  string    `json:"function,omitempty"`  // function: book | rosenbrock | beale | himmelblau | rastrigin | quadratic
	Start     []float64 `json:"start,omitempty"`     // function: the start point
	Condition float64   `json:"condition,omitempty"` // function quadratic: the condition number κ
}

// ModelConfig describes the multi-layer perceptron.
type ModelConfig struct {
	Hidden      []int   `json:"hidden"`     // sizes of the hidden layers, input 784 and output 10 implied
	Activation  string  `json:"activation"` // relu | sigmoid | tanh
	Init        string  `json:"init"`       // he | xavier | a number: the standard deviation
	BatchNorm   bool    `json:"batchnorm"`
	Dropout     float64 `json:"dropout"`      // ratio of hidden units dropped per step; 0 = none
	WeightDecay float64 `json:"weight_decay"` // L2 coefficient λ
	Precision   string  `json:"precision"`    // float32 | float64
}

// OptimizerConfig names an optimizer and its hyperparameters. Fields that do
// not apply to the named optimizer are zero and left out of the JSON.
type OptimizerConfig struct {
	Name      string  `json:"name"` // one of OptimizerNames
	LR        float64 `json:"lr"`
	Momentum  float64 `json:"momentum,omitempty"`   // momentum, nesterov, sf_sgd
	DecayRate float64 `json:"decay_rate,omitempty"` // rmsprop ρ
	Beta1     float64 `json:"beta1,omitempty"`      // adam and the Adam family, lion
	Beta2     float64 `json:"beta2,omitempty"`      // adam and the Adam family, lion
	Eps       float64 `json:"eps,omitempty"`        // adagrad, rmsprop, adam and the Adam family

	// WeightDecay is the decoupled weight decay of adamw, amsgrad, lion,
	// sf_sgd and sf_adamw: applied by the optimizer to the parameters,
	// beside the L2 term of ModelConfig.WeightDecay in the loss.
	WeightDecay   float64 `json:"weight_decay,omitempty"`
	AMSGrad       bool    `json:"amsgrad,omitempty"`        // adamw: keep the running maximum of v
	MomentumDecay float64 `json:"momentum_decay,omitempty"` // nadam ψ
}

// ScheduleConfig names a learning-rate schedule and its parameters. Fields that
// do not apply to the named schedule are zero and left out of the JSON.
type ScheduleConfig struct {
	Name   string  `json:"name"`             // one of ScheduleNames
	Every  int     `json:"every,omitempty"`  // step: epochs between decays
	Gamma  float64 `json:"gamma,omitempty"`  // step, exponential: factor per decay
	K      float64 `json:"k,omitempty"`      // inverse_time: η/(1+k·epoch)
	MinLR  float64 `json:"min_lr,omitempty"` // cosine: the floor reached at the end of the run; sgdr, plateau: the floor
	Warmup int     `json:"warmup,omitempty"` // epochs of linear warm-up before the schedule

	Period         int     `json:"period,omitempty"`           // sgdr: epochs of the first cycle
	Mult           int     `json:"mult,omitempty"`             // sgdr: each cycle is mult times the one before
	PctStart       float64 `json:"pct_start,omitempty"`        // one_cycle: the fraction of the steps rising
	DivFactor      float64 `json:"div_factor,omitempty"`       // one_cycle: the first rate is lr/div_factor
	FinalDivFactor float64 `json:"final_div_factor,omitempty"` // one_cycle: the last is lr/(div_factor·final_div_factor)
	Monitor        string  `json:"monitor,omitempty"`          // plateau: val_acc or train_loss
	Patience       int     `json:"patience,omitempty"`         // plateau: epochs without improvement tolerated
	Factor         float64 `json:"factor,omitempty"`           // plateau: the factor of each drop
}

// CanonicalJSON returns the config as compact JSON with a fixed field order:
// equal configs give equal bytes.
func (c Config) CanonicalJSON() []byte {
	b, err := json.Marshal(c)
	if err != nil {
		// Config holds only numbers, strings, bools and a slice of ints.
		panic("train: marshal config: " + err.Error())
	}
	return b
}

// Key is the run's stable identity: the first 16 hex digits of the SHA-256 of
// its canonical JSON.
func (c Config) Key() string {
	sum := sha256.Sum256(c.CanonicalJSON())
	return hex.EncodeToString(sum[:8])
}

// HiddenString formats the hidden sizes as "100-100-100-100" ("" for none).
func (m ModelConfig) HiddenString() string {
	parts := make([]string, len(m.Hidden))
	for i, h := range m.Hidden {
		parts[i] = strconv.Itoa(h)
	}
	return strings.Join(parts, "-")
}

// ParseInit interprets ModelConfig.Init: "he" and "xavier" give the scale
// rule by name, a positive number gives a fixed standard deviation.
func ParseInit(s string) (rule string, std float64, err error) {
	switch s {
	case "he", "xavier":
		return s, 0, nil
	}
	v, perr := strconv.ParseFloat(s, 64)
	if perr != nil || !(v > 0) {
		return "", 0, fmt.Errorf("init %q: want he, xavier or a positive number", s)
	}
	return "std", v, nil
}
