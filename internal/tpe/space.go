package tpe

import (
	"errors"
	"fmt"
	"math"
	"slices"
)

// Kind is the kind of values a parameter takes.
type Kind int

const (
	// Float is a real number in [Low, High].
	Float Kind = iota
	// Int is an integer in [Low, High].
	Int
	// Categorical is the index, from 0 to Choices−1, of one of Choices
	// unordered choices.
	Categorical
)

// String returns "float", "int" or "categorical".
func (k Kind) String() string {
	switch k {
	case Float:
		return "float"
	case Int:
		return "int"
	case Categorical:
		return "categorical"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Param is one parameter of a search space. Make one with Uniform,
// LogUniform, IntUniform, IntLogUniform or Choice, and make it conditional
// with its When method.
type Param struct {
	// Name identifies the parameter in the space and in trial values.
	Name string
	// Kind is Float, Int or Categorical.
	Kind Kind
	// Low and High are the bounds, both included, of a Float or Int
	// parameter (integers for an Int); Low < High.
	Low, High float64
	// Log samples a Float or Int parameter on the logarithmic scale; it
	// needs Low > 0.
	Log bool
	// Choices is the number of choices of a Categorical parameter, ≥ 1.
	Choices int
	// Parent, if not empty, names a Categorical parameter earlier in the
	// space: this parameter exists only when the parent exists and takes
	// one of the choices In.
	Parent string
	// In are the parent's choices for which this parameter exists.
	In []int
}

// Uniform returns a Float parameter uniform on [low, high].
func Uniform(name string, low, high float64) Param {
	return Param{Name: name, Kind: Float, Low: low, High: high}
}

// LogUniform returns a Float parameter on [low, high] whose logarithm is
// uniform.
func LogUniform(name string, low, high float64) Param {
	return Param{Name: name, Kind: Float, Low: low, High: high, Log: true}
}

// IntUniform returns an Int parameter on [low, high].
func IntUniform(name string, low, high int) Param {
	return Param{Name: name, Kind: Int, Low: float64(low), High: float64(high)}
}

// IntLogUniform returns an Int parameter on [low, high] on the logarithmic
// scale.
func IntLogUniform(name string, low, high int) Param {
	return Param{Name: name, Kind: Int, Low: float64(low), High: float64(high), Log: true}
}

// Choice returns a Categorical parameter of n choices, 0 to n−1.
func Choice(name string, n int) Param {
	return Param{Name: name, Kind: Categorical, Choices: n}
}

// When returns p made conditional: it exists only when the categorical
// parameter parent takes one of choices.
func (p Param) When(parent string, choices ...int) Param {
	p.Parent = parent
	p.In = slices.Clone(choices)
	return p
}

// Space is a validated search space: its parameters in order, every
// parent before its children. Make one with NewSpace.
type Space struct {
	params []Param
	index  map[string]int
	parent []int // index of each parameter's parent, or −1
}

// ErrSpace is wrapped by the errors of NewSpace.
var ErrSpace = errors.New("tpe: invalid search space")

// NewSpace validates params and returns their space. Names must be unique
// and not empty; bounds finite with Low < High, Low > 0 on a log scale and
// integers for an Int; a Categorical needs Choices ≥ 1; a Parent must be a
// Categorical parameter earlier in the list, with In a non-empty set of
// its choices.
func NewSpace(params ...Param) (*Space, error) {
	s := &Space{index: make(map[string]int, len(params))}
	for i, p := range params {
		if err := s.check(p); err != nil {
			return nil, fmt.Errorf("%w: parameter %d %q: %v", ErrSpace, i, p.Name, err)
		}
		par := -1
		if p.Parent != "" {
			par = s.index[p.Parent]
		}
		p.In = slices.Clone(p.In)
		slices.Sort(p.In)
		s.index[p.Name] = i
		s.params = append(s.params, p)
		s.parent = append(s.parent, par)
	}
	return s, nil
}

func (s *Space) check(p Param) error {
	if p.Name == "" {
		return errors.New("no name")
	}
	if _, dup := s.index[p.Name]; dup {
		return errors.New("name used twice")
	}
	switch p.Kind {
	case Float, Int:
		if math.IsInf(p.Low, 0) || math.IsInf(p.High, 0) || !(p.Low < p.High) {
			return fmt.Errorf("bounds [%g, %g]: need finite Low < High", p.Low, p.High)
		}
		if p.Kind == Int && (p.Low != math.Trunc(p.Low) || p.High != math.Trunc(p.High)) {
			return fmt.Errorf("bounds [%g, %g] of an int are not integers", p.Low, p.High)
		}
		if p.Log && p.Low <= 0 {
			return fmt.Errorf("log scale needs Low > 0, not %g", p.Low)
		}
		if p.Choices != 0 {
			return fmt.Errorf("a %s has no choices", p.Kind)
		}
	case Categorical:
		if p.Choices < 1 {
			return fmt.Errorf("%d choices", p.Choices)
		}
		if p.Log || p.Low != 0 || p.High != 0 {
			return errors.New("a categorical has no bounds or scale")
		}
	default:
		return fmt.Errorf("kind %v", p.Kind)
	}
	if p.Parent == "" {
		if len(p.In) > 0 {
			return errors.New("choices In without a Parent")
		}
		return nil
	}
	pi, ok := s.index[p.Parent]
	if !ok {
		return fmt.Errorf("parent %q is not an earlier parameter", p.Parent)
	}
	parent := s.params[pi]
	if parent.Kind != Categorical {
		return fmt.Errorf("parent %q is not categorical", p.Parent)
	}
	if len(p.In) == 0 {
		return fmt.Errorf("no choices of parent %q", p.Parent)
	}
	for _, c := range p.In {
		if c < 0 || c >= parent.Choices {
			return fmt.Errorf("choice %d of parent %q, which has %d", c, p.Parent, parent.Choices)
		}
	}
	return nil
}

// Params returns a copy of the space's parameters, in order.
func (s *Space) Params() []Param {
	out := make([]Param, len(s.params))
	for i, p := range s.params {
		p.In = slices.Clone(p.In)
		out[i] = p
	}
	return out
}

// Active reports whether the parameter name exists in a trial of values:
// it has no parent, or its parent is active and takes one of its choices
// In. It panics if name is not in the space.
func (s *Space) Active(name string, values map[string]float64) bool {
	i, ok := s.index[name]
	if !ok {
		panic(fmt.Sprintf("tpe: no parameter %q in the space", name))
	}
	return s.active(i, func(j int) (float64, bool) {
		v, ok := values[s.params[j].Name]
		return v, ok
	})
}

// active reports whether parameter i exists, value giving the values of
// the earlier parameters.
func (s *Space) active(i int, value func(int) (float64, bool)) bool {
	for {
		par := s.parent[i]
		if par < 0 {
			return true
		}
		v, ok := value(par)
		if !ok || !slices.Contains(s.params[i].In, int(v)) {
			return false
		}
		i = par
	}
}

// checkValue reports whether v is a valid value of p.
func checkValue(p *Param, v float64) error {
	switch p.Kind {
	case Categorical:
		if v != math.Trunc(v) || v < 0 || v >= float64(p.Choices) {
			return fmt.Errorf("%g is not a choice in [0, %d)", v, p.Choices)
		}
	default:
		if !(v >= p.Low && v <= p.High) {
			return fmt.Errorf("%g is out of [%g, %g]", v, p.Low, p.High)
		}
		if p.Kind == Int && v != math.Trunc(v) {
			return fmt.Errorf("%g is not an integer", v)
		}
	}
	return nil
}
