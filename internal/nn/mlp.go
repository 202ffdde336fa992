package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"

	"runner/internal/kernel"
)

// InitKind says how initial weights are scaled.
type InitKind int

// The weight-initialisation rules. Weights are drawn from N(0, std²) with
// std a fixed number, √(1/fan_in) (Xavier) or √(2/fan_in) (He); biases are 0.
const (
	InitStd InitKind = iota
	InitXavier
	InitHe
)

// Init is a weight-initialisation rule; Std is used only by InitStd.
type Init struct {
	Kind InitKind
	Std  float64
}

// std returns the standard deviation for a layer with fanIn inputs.
func (in Init) std(fanIn int) float64 {
	switch in.Kind {
	case InitXavier:
		return math.Sqrt(1 / float64(fanIn))
	case InitHe:
		return math.Sqrt(2 / float64(fanIn))
	}
	return in.Std
}

// String returns he, xavier or the standard deviation as a number.
func (in Init) String() string {
	switch in.Kind {
	case InitXavier:
		return "xavier"
	case InitHe:
		return "he"
	}
	return strconv.FormatFloat(in.Std, 'g', -1, 64)
}

// Config describes a network: Input → Hidden… → Output, each hidden layer
// Affine → [BatchNorm] → Activation → [Dropout].
type Config struct {
	Input      int
	Hidden     []int
	Output     int
	Activation ActivationKind
	Init       Init
	BatchNorm  bool
	// Dropout is the ratio of hidden units dropped at each training step; 0 = no dropout layers.
	Dropout float64
	// WeightDecay is the L2 coefficient λ: ½λΣ‖W‖² is added to the loss
	// and λW to each weight gradient (weights only, not biases, γ or β).
	WeightDecay float64
}

// Validate reports a configuration the network cannot be built from.
func (c Config) Validate() error {
	if c.Input <= 0 || c.Output <= 0 {
		return fmt.Errorf("nn: input and output sizes must be positive (got %d, %d)", c.Input, c.Output)
	}
	for i, h := range c.Hidden {
		if h <= 0 {
			return fmt.Errorf("nn: hidden[%d]: size must be positive (got %d)", i, h)
		}
	}
	if c.Init.Kind == InitStd && !(c.Init.Std > 0) {
		return fmt.Errorf("nn: init std must be positive (got %g)", c.Init.Std)
	}
	if !(c.Dropout >= 0 && c.Dropout < 1) {
		return fmt.Errorf("nn: dropout must be in [0, 1) (got %g)", c.Dropout)
	}
	if !(c.WeightDecay >= 0) {
		return fmt.Errorf("nn: weight decay must be >= 0 (got %g)", c.WeightDecay)
	}
	return nil
}

// MLP is a multi-layer perceptron with a softmax cross-entropy output.
type MLP[T kernel.Float] struct {
	Config Config
	Layers []Layer[T]
	Loss   SoftmaxLoss[T]

	affines  []*Affine[T]
	dropouts []*Dropout[T]
	hiddenAt []int       // the index in Layers of each hidden layer's activation
	hiddenW  []*Param[T] // the weight matrix feeding each hidden layer: W1 … W_len(Hidden)
	params   []*Param[T]
	values   [][]T
	grads    [][]T
}

// New builds the network and draws its initial weights from initRNG, layer by
// layer, each W row-major (fan_in × fan_out). Dropout layers draw their masks
// from dropoutRNG (unused when Config.Dropout is 0).
func New[T kernel.Float](cfg Config, initRNG, dropoutRNG *rand.Rand) (*MLP[T], error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	m := &MLP[T]{Config: cfg, Loss: SoftmaxLoss[T]{Classes: cfg.Output}}
	sizes := append(append([]int{cfg.Input}, cfg.Hidden...), cfg.Output)
	for i := 0; i+1 < len(sizes); i++ {
		idx := strconv.Itoa(i + 1)
		a := NewAffine[T](sizes[i], sizes[i+1], i > 0, idx)
		std := cfg.Init.std(sizes[i])
		for j := range a.W.Value {
			a.W.Value[j] = T(std * initRNG.NormFloat64())
		}
		m.affines = append(m.affines, a)
		m.Layers = append(m.Layers, a)
		if i+2 == len(sizes) {
			break // the output layer feeds the loss directly
		}
		if cfg.BatchNorm {
			m.Layers = append(m.Layers, NewBatchNorm[T](sizes[i+1], idx))
		}
		m.hiddenAt = append(m.hiddenAt, len(m.Layers))
		m.hiddenW = append(m.hiddenW, &a.W)
		m.Layers = append(m.Layers, NewActivation[T](cfg.Activation, sizes[i+1]))
		if cfg.Dropout > 0 {
			d := NewDropout[T](cfg.Dropout, sizes[i+1], dropoutRNG)
			m.dropouts = append(m.dropouts, d)
			m.Layers = append(m.Layers, d)
		}
	}
	for _, l := range m.Layers {
		for _, p := range l.Params() {
			m.params = append(m.params, p)
			m.values = append(m.values, p.Value)
			m.grads = append(m.grads, p.Grad)
		}
	}
	return m, nil
}

// Params returns every trainable tensor in a fixed order (W1, b1, [γ1, β1,] W2 …).
func (m *MLP[T]) Params() []*Param[T] { return m.params }

// Values returns the parameter tensors in the order of Params, for an optimizer.
func (m *MLP[T]) Values() [][]T { return m.values }

// Grads returns the gradient tensors in the order of Params, for an optimizer.
func (m *MLP[T]) Grads() [][]T { return m.grads }

// Forward returns the output scores (rows × Output) for rows examples of x.
// In training mode batch normalisation uses batch statistics and dropout
// draws masks; otherwise running statistics and scaling are used.
func (m *MLP[T]) Forward(x []T, rows int, train bool) []T {
	for _, l := range m.Layers {
		x = l.Forward(x, rows, train)
	}
	return x
}

// ForwardHidden runs rows examples of x through the hidden layers in
// evaluation mode, exactly as Forward(x, rows, false) does up to the last
// hidden layer, and calls visit(i, a) for each hidden layer i (from 0, in
// order) with a its rows × Hidden[i] activations: the output of the
// activation function, before any dropout scaling. a is a buffer of the
// network, valid until its next forward pass; visit must not modify it.
//
// Like every evaluation pass it draws no dropout mask and leaves the batch
// normalisation running averages, the parameters and their gradients as
// they are, so it may run between training steps without changing them.
// It allocates nothing once the layers' buffers hold rows examples.
func (m *MLP[T]) ForwardHidden(x []T, rows int, visit func(layer int, a []T)) {
	h := 0
	for k, l := range m.Layers {
		if h == len(m.hiddenAt) {
			return
		}
		x = l.Forward(x, rows, false)
		if k == m.hiddenAt[h] {
			visit(h, x[:rows*m.Config.Hidden[h]])
			h++
		}
	}
}

// HiddenWeights returns the weight matrix of the affine layer feeding each
// hidden layer, in order (W1 … W_len(Hidden); the output layer's is not
// among them). Each Param's Value is the network's live weights and its
// Grad the gradient of the last LossAndGrad, weight decay included: callers
// read them and must not modify them.
func (m *MLP[T]) HiddenWeights() []*Param[T] { return m.hiddenW }

// LossAndGrad runs a training-mode forward pass on rows examples, then the
// backward pass, leaving the gradients in Grads. It returns the mean
// cross-entropy plus the weight-decay term ½λΣ‖W‖².
func (m *MLP[T]) LossAndGrad(x []T, labels []int, rows int) float64 {
	loss := m.Loss.Forward(m.Forward(x, rows, true), labels, rows) + m.decayLoss()
	d := m.Loss.Backward()
	for i := len(m.Layers) - 1; i >= 0; i-- {
		d = m.Layers[i].Backward(d, rows)
	}
	if lambda := T(m.Config.WeightDecay); lambda != 0 {
		for _, a := range m.affines {
			kernel.Axpy(lambda, a.W.Value, a.W.Grad)
		}
	}
	return loss
}

// Evaluate runs rows examples in evaluation mode and returns the summed
// cross-entropy (without weight decay) and the number classified correctly.
func (m *MLP[T]) Evaluate(x []T, labels []int, rows int) (lossSum float64, correct int) {
	scores := m.Forward(x, rows, false)
	lossSum = m.Loss.Forward(scores, labels, rows) * float64(rows)
	return lossSum, kernel.CountCorrect(scores, labels, rows, m.Config.Output)
}

// Correct runs rows examples in evaluation mode and returns how many are
// classified correctly.
func (m *MLP[T]) Correct(x []T, labels []int, rows int) int {
	return kernel.CountCorrect(m.Forward(x, rows, false), labels, rows, m.Config.Output)
}

// DecayLoss returns ½λΣ‖W‖² over the weight matrices.
func (m *MLP[T]) DecayLoss() float64 { return m.decayLoss() }

func (m *MLP[T]) decayLoss() float64 {
	if m.Config.WeightDecay == 0 {
		return 0
	}
	var s float64
	for _, a := range m.affines {
		s += kernel.SumSquares(a.W.Value)
	}
	return 0.5 * m.Config.WeightDecay * s
}

// FreezeDropout keeps (true) or releases (false) the dropout masks of the
// last training step, so that repeated forward passes compute one fixed
// function: what a numerical gradient check needs.
func (m *MLP[T]) FreezeDropout(frozen bool) {
	for _, d := range m.dropouts {
		d.Frozen = frozen
	}
}
