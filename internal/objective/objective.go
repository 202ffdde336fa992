package objective

import (
	"fmt"
	"math"
	"strings"
)

// Function is a test function of two variables with its gradient.
type Function interface {
	// Name is the function's name as experiment files write it.
	Name() string
	// Value returns f(x). x must hold two numbers.
	Value(x []float64) float64
	// Grad writes ∂f/∂x at x into dst, which must be as long as x. It
	// allocates nothing.
	Grad(dst, x []float64)
	// Minima returns the known global minima, each a point [x, y]. The
	// caller must not change them.
	Minima() [][]float64
	// Window returns a plotting window, the corners (lo[0], lo[1]) and
	// (hi[0], hi[1]), that shows the region where optimizers' paths go.
	Window() (lo, hi [2]float64)
}

// Names lists the functions Lookup knows, in the order the package
// documentation gives them.
var Names = []string{"book", "rosenbrock", "beale", "himmelblau", "rastrigin", "quadratic"}

// DefaultCondition is the condition number κ of the quadratic function when
// none is given.
const DefaultCondition = 10

// Lookup returns the function named name. condition is the condition
// number κ of quadratic, > 0 (0 means DefaultCondition); the other
// functions ignore it. An unknown name is an error that lists the names.
func Lookup(name string, condition float64) (Function, error) {
	switch name {
	case "book":
		return Book{}, nil
	case "rosenbrock":
		return Rosenbrock{}, nil
	case "beale":
		return Beale{}, nil
	case "himmelblau":
		return Himmelblau{}, nil
	case "rastrigin":
		return Rastrigin{}, nil
	case "quadratic":
		if condition == 0 {
			condition = DefaultCondition
		}
		if !(condition > 0) || math.IsInf(condition, 0) {
			return nil, fmt.Errorf("objective: quadratic: condition must be a finite number > 0 (got %v)", condition)
		}
		return Quadratic{Condition: condition}, nil
	}
	return nil, fmt.Errorf("objective: unknown function %q (want %s)", name, strings.Join(Names, ", "))
}

// Distance returns the Euclidean distance from x to the nearest known
// minimum of f: NaN when x is not finite.
func Distance(f Function, x []float64) float64 {
	best := math.Inf(1)
	for _, m := range f.Minima() {
		var sum float64
		for i, xi := range x {
			d := xi - m[i]
			sum += d * d
		}
		best = min(best, math.Sqrt(sum))
	}
	return best
}

// point returns the two coordinates of x, panicking unless it has two.
func point(x []float64) (float64, float64) {
	if len(x) != 2 {
		panic(fmt.Sprintf("objective: want a point of 2 coordinates (got %d)", len(x)))
	}
	return x[0], x[1]
}

// grad checks dst and returns the point x.
func grad(dst, x []float64) (float64, float64) {
	if len(dst) != len(x) {
		panic(fmt.Sprintf("objective: gradient of %d coordinates for a point of %d", len(dst), len(x)))
	}
	return point(x)
}

// Book is the function of the book's figure 6-8, f(x, y) = x²/20 + y²: a
// bowl 20 times as steep along y as along x, with its minimum 0 at (0, 0).
type Book struct{}

// Name returns "book".
func (Book) Name() string { return "book" }

// Value returns x²/20 + y².
func (Book) Value(p []float64) float64 {
	x, y := point(p)
	return x*x/20 + y*y
}

// Grad writes (x/10, 2y).
func (Book) Grad(dst, p []float64) {
	x, y := grad(dst, p)
	dst[0], dst[1] = x/10, 2*y
}

// Minima returns (0, 0).
func (Book) Minima() [][]float64 { return [][]float64{{0, 0}} }

// Window returns x in [−10, 10], y in [−5, 5], as the book's figure.
func (Book) Window() (lo, hi [2]float64) { return [2]float64{-10, -5}, [2]float64{10, 5} }

// Rosenbrock is f(x, y) = (1−x)² + 100(y−x²)², a curved narrow valley with
// its minimum 0 at (1, 1).
type Rosenbrock struct{}

// Name returns "rosenbrock".
func (Rosenbrock) Name() string { return "rosenbrock" }

// Value returns (1−x)² + 100(y−x²)².
func (Rosenbrock) Value(p []float64) float64 {
	x, y := point(p)
	a, b := 1-x, y-x*x
	return a*a + 100*b*b
}

// Grad writes (−2(1−x) − 400x(y−x²), 200(y−x²)).
func (Rosenbrock) Grad(dst, p []float64) {
	x, y := grad(dst, p)
	b := y - x*x
	dst[0], dst[1] = -2*(1-x)-400*x*b, 200*b
}

// Minima returns (1, 1).
func (Rosenbrock) Minima() [][]float64 { return [][]float64{{1, 1}} }

// Window returns x in [−2, 2], y in [−1, 3].
func (Rosenbrock) Window() (lo, hi [2]float64) { return [2]float64{-2, -1}, [2]float64{2, 3} }

// Beale is f(x, y) = (1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²,
// flat plateaus around sharp ridges, with its minimum 0 at (3, 0.5).
type Beale struct{}

// Name returns "beale".
func (Beale) Name() string { return "beale" }

// bealeTerms returns the three terms of Beale's sum.
func bealeTerms(x, y float64) (t1, t2, t3 float64) {
	return 1.5 - x + x*y, 2.25 - x + x*y*y, 2.625 - x + x*y*y*y
}

// Value returns the sum of the three squares.
func (Beale) Value(p []float64) float64 {
	t1, t2, t3 := bealeTerms(point(p))
	return t1*t1 + t2*t2 + t3*t3
}

// Grad writes the gradient of the sum of the three squares.
func (Beale) Grad(dst, p []float64) {
	x, y := grad(dst, p)
	t1, t2, t3 := bealeTerms(x, y)
	dst[0] = 2*t1*(y-1) + 2*t2*(y*y-1) + 2*t3*(y*y*y-1)
	dst[1] = 2*t1*x + 4*t2*x*y + 6*t3*x*y*y
}

// Minima returns (3, 0.5).
func (Beale) Minima() [][]float64 { return [][]float64{{3, 0.5}} }

// Window returns x and y in [−4.5, 4.5].
func (Beale) Window() (lo, hi [2]float64) { return [2]float64{-4.5, -4.5}, [2]float64{4.5, 4.5} }

// Himmelblau is f(x, y) = (x² + y − 11)² + (x + y² − 7)², with four minima
// of value 0: (3, 2) and three irrational ones.
type Himmelblau struct{}

// Name returns "himmelblau".
func (Himmelblau) Name() string { return "himmelblau" }

// Value returns (x² + y − 11)² + (x + y² − 7)².
func (Himmelblau) Value(p []float64) float64 {
	x, y := point(p)
	a, b := x*x+y-11, x+y*y-7
	return a*a + b*b
}

// Grad writes (4x(x² + y − 11) + 2(x + y² − 7), 2(x² + y − 11) + 4y(x + y² − 7)).
func (Himmelblau) Grad(dst, p []float64) {
	x, y := grad(dst, p)
	a, b := x*x+y-11, x+y*y-7
	dst[0], dst[1] = 4*x*a+2*b, 2*a+4*y*b
}

// himmelblauMinima are Himmelblau's four minima, the three irrational ones
// rounded to the nearest float64 (found by Newton's method in
// 200-bit arithmetic; the gradient there is below 1e-13).
var himmelblauMinima = [][]float64{
	{3, 2},
	{-2.8051180869527448, 3.131312518250573},
	{-3.779310253377747, -3.2831859912861696},
	{3.5844283403304917, -1.8481265269644036},
}

// Minima returns the four minima.
func (Himmelblau) Minima() [][]float64 { return himmelblauMinima }

// Window returns x and y in [−5, 5].
func (Himmelblau) Window() (lo, hi [2]float64) { return [2]float64{-5, -5}, [2]float64{5, 5} }

// RastriginA is the constant A of the Rastrigin function.
const RastriginA = 10

// Rastrigin is the 2-D Rastrigin function with A = 10,
// f(x, y) = 2A + x² − A cos(2πx) + y² − A cos(2πy): a bowl covered in a
// grid of local minima, with its global minimum 0 at (0, 0).
type Rastrigin struct{}

// Name returns "rastrigin".
func (Rastrigin) Name() string { return "rastrigin" }

// Value returns 2A + Σ (xᵢ² − A cos(2πxᵢ)).
func (Rastrigin) Value(p []float64) float64 {
	x, y := point(p)
	return 2*RastriginA + x*x - RastriginA*math.Cos(2*math.Pi*x) + y*y - RastriginA*math.Cos(2*math.Pi*y)
}

// Grad writes (2xᵢ + 2πA sin(2πxᵢ)) for each coordinate.
func (Rastrigin) Grad(dst, p []float64) {
	x, y := grad(dst, p)
	dst[0] = 2*x + 2*math.Pi*RastriginA*math.Sin(2*math.Pi*x)
	dst[1] = 2*y + 2*math.Pi*RastriginA*math.Sin(2*math.Pi*y)
}

// Minima returns (0, 0).
func (Rastrigin) Minima() [][]float64 { return [][]float64{{0, 0}} }

// Window returns x and y in [−5.12, 5.12], the function's usual domain.
func (Rastrigin) Window() (lo, hi [2]float64) {
	return [2]float64{-5.12, -5.12}, [2]float64{5.12, 5.12}
}

// Quadratic is f(x, y) = ½(x² + κy²), a bowl whose Hessian diag(1, κ) has
// the condition number κ = Condition, with its minimum 0 at (0, 0).
type Quadratic struct {
	Condition float64 // κ > 0
}

// Name returns "quadratic".
func (Quadratic) Name() string { return "quadratic" }

// Value returns ½(x² + κy²).
func (q Quadratic) Value(p []float64) float64 {
	x, y := point(p)
	return (x*x + q.Condition*y*y) / 2
}

// Grad writes (x, κy).
func (q Quadratic) Grad(dst, p []float64) {
	x, y := grad(dst, p)
	dst[0], dst[1] = x, q.Condition*y
}

// Minima returns (0, 0).
func (Quadratic) Minima() [][]float64 { return [][]float64{{0, 0}} }

// Window returns x in [−10, 10], y in [−5, 5], the book function's window.
func (Quadratic) Window() (lo, hi [2]float64) { return [2]float64{-10, -5}, [2]float64{10, 5} }
