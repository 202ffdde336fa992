// Package objective holds two-dimensional test functions for optimizers,
// with their gradients: the function of the book's figure 6-8, on which
// "Deep Learning from Scratch" draws the paths of SGD, Momentum, AdaGrad
// and Adam, and the classic harder ones.
//
//	book        x²/20 + y²                            minimum 0 at (0, 0)
//	rosenbrock  (1−x)² + 100(y−x²)²                   minimum 0 at (1, 1)
//	beale       (1.5−x+xy)² + (2.25−x+xy²)² + (2.625−x+xy³)²
//	                                                  minimum 0 at (3, 0.5)
//	himmelblau  (x²+y−11)² + (x+y²−7)²                four minima of value 0:
//	                                                  (3, 2), (−2.805118, 3.131313),
//	                                                  (−3.779310, −3.283186),
//	                                                  (3.584428, −1.848127)
//	rastrigin   20 + Σ (xᵢ² − 10 cos(2πxᵢ))           minimum 0 at (0, 0), among
//	                                                  a grid of local minima
//	quadratic   ½(x² + κy²)                           minimum 0 at (0, 0); κ is the
//	                                                  condition number (default 10)
//
// Lookup finds a function by name, Distance measures how far a point is
// from the nearest known minimum, and each Function gives a plotting
// window that shows the region its optimizers' paths cross (the book's
// figure shows x in [−10, 10] and y in [−5, 5]).
//
// The functions are what internal/train minimizes for a run whose dataset
// is "function": one optimizer step per epoch, through the same optimizers
// and schedules as the MNIST runs. The tests check every gradient against
// central differences, every minimum's value and gradient, and that Adam
// (the book's β1 = 0.9, β2 = 0.999, ε = 1e-7) at a constant learning rate
// of 0.002 from (−1.5, 2) reaches Rosenbrock's minimum: within 1e-3 of
// (1, 1) from step 8,000 on, and within 1e-10 at step 10,000. (Larger
// rates get there sooner but do not stay: Adam's steps near the minimum,
// where its gradient averages are tiny, grow unstable again.)
package objective
