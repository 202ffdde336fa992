package main

// The kernels of the optimizers after the book (update_modern.go in package
// kernel): AdamW, AMSGrad, NAdam, RAdam's unrectified step, Lion and the
// schedule-free methods, each the vector form of its portable Go loop,
// operation for operation, in the same order.

import (
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// modernISAs are the instruction sets modernKernels are emitted for. The
// AVX-512 forms are left out: none has yet run on a machine with AVX-512,
// and assembly that has never executed is not shipped. Package kernel's
// avx512 kernels use the AVX2 forms of these updates instead (see
// elementwise_amd64.go); add "AVX512" here, and switch the dispatch, once
// they can be tested on such a machine. The bodies keep their AVX-512 code
// for that day.
var modernISAs = map[string]bool{"AVX2": true}

// Comparison predicates of VCMPPS/VCMPPD.
const (
	cmpUnordQ = 0x03 // either operand NaN
	cmpNeqOQ  = 0x0c // ordered and not equal
)

var modernKernels = []ewKernel{
	{
		op: "adamWStep", doc: "computes m ← m + c1·(g − m); v ← v + c2·(g·g − v); w ← decay·w − lrt·m/(√v + eps)",
		ptrs: []string{"w", "grad", "m", "v"}, scalars: []string{"decay", "lrt", "c1", "c2", "eps"}, temps: 3, unroll: unrollUpdate,
		body: func(e ew, c *ewCtx) {
			g, m, v := c.t(0), c.t(1), c.t(2)
			adamMoments(e, c, g, m, v, g)
			decayedSqrtStep(e, c, m, g, v)
		},
	},
	{
		op: "amsGradStep", doc: "computes m ← m + c1·(g − m); v ← v + c2·(g·g − v); vmax ← max(vmax, v); w ← decay·w − lrt·m/(√vmax + eps)",
		ptrs: []string{"w", "grad", "m", "v", "vmax"}, scalars: []string{"decay", "lrt", "c1", "c2", "eps"}, temps: 3, unroll: unrollUpdate,
		body: func(e ew, c *ewCtx) {
			g, m, v := c.t(0), c.t(1), c.t(2)
			adamMoments(e, c, g, m, v, g)
			// v > vmax ? v : vmax, as MAXPS (first source v) returns its
			// second source vmax unless v is greater, NaN and zeros included.
			e.pick(VMAXPS, VMAXPD)(c.mem("vmax"), v, v)
			e.store(c.mem("vmax"), v)
			decayedSqrtStep(e, c, m, g, v)
		},
	},
	{
		op: "nAdamStep", doc: "computes m ← m + c1·(g − m); v ← v + c2·(g·g − v); w ← w − (a·g + b·m)/(√v + eps)",
		ptrs: []string{"w", "grad", "m", "v"}, scalars: []string{"c1", "c2", "a", "b", "eps"}, temps: 4, unroll: unrollUpdate,
		body: func(e ew, c *ewCtx) {
			g, m, v, t := c.t(0), c.t(1), c.t(2), c.t(3)
			adamMoments(e, c, g, m, v, t) // keeps g for the step
			e.sqrt(v, v)
			e.add(v, v, c.s("eps"))
			e.mul(g, c.s("a"), g)
			e.mul(m, c.s("b"), m)
			e.add(g, g, m)
			e.div(g, g, v)
			e.load(t, c.mem("w"))
			e.sub(t, t, g)
			e.store(c.mem("w"), t)
		},
	},
	{
		op: "adamMomentStep", doc: "computes m ← m + c1·(g − m); v ← v + c2·(g·g − v); w ← w − lrt·m",
		ptrs: []string{"w", "grad", "m", "v"}, scalars: []string{"lrt", "c1", "c2"}, temps: 3, unroll: unrollUpdate,
		body: func(e ew, c *ewCtx) {
			g, m, v := c.t(0), c.t(1), c.t(2)
			adamMoments(e, c, g, m, v, g)
			e.mul(m, c.s("lrt"), m)
			e.load(g, c.mem("w"))
			e.sub(g, g, m)
			e.store(c.mem("w"), g)
		},
	},
	{
		op:   "lionStep",
		doc:  "computes c = b1·m + c1·g; w ← decay·w − lr·sign(c); m ← b2·m + c2·g (sign: ±1, +0 for ±0, c for NaN; one = 1, signbit = −0)",
		ptrs: []string{"w", "grad", "m"}, scalars: []string{"decay", "lr", "b1", "c1", "b2", "c2", "one", "signbit", "zero"},
		temps: 4, unroll: map[string]int{"AVX2": 1, "AVX512": 4},
		body: func(e ew, c *ewCtx) {
			g, m, x, t := c.t(0), c.t(1), c.t(2), c.t(3)
			e.load(g, c.mem("grad"))
			e.load(m, c.mem("m"))
			e.mul(x, c.s("b1"), m)
			e.mul(t, c.s("c1"), g)
			e.add(x, x, t)
			e.mul(m, c.s("b2"), m)
			e.mul(t, c.s("c2"), g)
			e.add(m, m, t)
			e.store(c.mem("m"), m)
			// s = copysign(1, x), then +0 where x is ±0 or NaN, then x
			// where x is NaN; g and m are free.
			s := g
			if e.isa == "AVX512" {
				k := []reg.OpmaskPhysical{reg.K1, reg.K2, reg.K3, reg.K4}[c.u]
				VPANDD(c.s("signbit"), x, s)
				VPORD(c.s("one"), s, s)
				e.pick(VCMPPS, VCMPPD)(Imm(cmpNeqOQ), c.s("zero"), x, k)
				if e.elem == 8 {
					VMOVAPD_Z(s, k, s)
				} else {
					VMOVAPS_Z(s, k, s)
				}
				e.pick(VCMPPS, VCMPPD)(Imm(cmpUnordQ), x, x, k)
				e.pick(VMOVAPS, VMOVAPD)(x, k, s)
			} else {
				VANDPS(c.s("signbit"), x, s)
				VORPS(c.s("one"), s, s)
				e.pick(VCMPPS, VCMPPD)(Imm(cmpNeqOQ), c.s("zero"), x, m)
				VANDPS(m, s, s)
				e.pick(VCMPPS, VCMPPD)(Imm(cmpUnordQ), x, x, m)
				VANDPS(x, m, m)
				VORPS(m, s, s)
			}
			e.mul(s, c.s("lr"), s)
			e.mul(t, c.s("decay"), c.mem("w"))
			e.sub(t, t, s)
			e.store(c.mem("w"), t)
		},
	},
	{
		op: "sfSGDStep", doc: "computes d = g + wd·y; y ← y + ck·(z − y); y ← y + a·d; z ← z − lr·d",
		ptrs: []string{"y", "grad", "z"}, scalars: []string{"wd", "ck", "a", "lr"}, temps: 4, unroll: unrollUpdate,
		body: func(e ew, c *ewCtx) {
			y, d, z, t := c.t(0), c.t(1), c.t(2), c.t(3)
			e.load(y, c.mem("y"))
			e.mul(d, c.s("wd"), y)
			e.add(d, d, c.mem("grad"))
			scheduleFreeMove(e, c, y, d, z, t)
		},
	},
	{
		op: "sfAdamWStep", doc: "computes v ← v + c2·(g·g − v); d = g/(√v + eps) + wd·y; y ← y + ck·(z − y); y ← y + a·d; z ← z − lr·d",
		ptrs: []string{"y", "grad", "z", "v"}, scalars: []string{"c2", "eps", "wd", "ck", "a", "lr"}, temps: 4, unroll: unrollUpdate,
		body: func(e ew, c *ewCtx) {
			g, t, v, y := c.t(0), c.t(1), c.t(2), c.t(3)
			e.load(g, c.mem("grad"))
			e.mul(t, g, g)
			e.load(v, c.mem("v"))
			e.sub(t, t, v)
			e.mul(t, c.s("c2"), t)
			e.add(v, v, t)
			e.store(c.mem("v"), v)
			e.sqrt(v, v)
			e.add(v, v, c.s("eps"))
			e.div(g, g, v)
			e.load(y, c.mem("y"))
			e.mul(t, c.s("wd"), y)
			e.add(g, g, t)
			scheduleFreeMove(e, c, y, g, v, t)
		},
	},
	{
		op: "lerp", doc: "computes y ← y + c·(z − y)", ptrs: []string{"y", "z"}, scalars: []string{"c"},
		temps: 2, unroll: unrollNarrow,
		body: func(e ew, c *ewCtx) {
			y, t := c.t(0), c.t(1)
			e.load(y, c.mem("y"))
			e.load(t, c.mem("z"))
			e.sub(t, t, y)
			e.mul(t, c.s("c"), t)
			e.add(y, y, t)
			e.store(c.mem("y"), y)
		},
	},
}

// adamMoments emits m ← m + c1·(g − m) and v ← v + c2·(g·g − v), storing
// both and leaving the gradient in g, the new m in m and the new v in v.
// sq holds g·g on the way: passing g as sq saves a register and
// overwrites the gradient.
func adamMoments(e ew, c *ewCtx, g, m, v, sq reg.VecPhysical) {
	e.load(g, c.mem("grad"))
	e.load(m, c.mem("m"))
	e.sub(v, g, m)
	e.mul(v, c.s("c1"), v)
	e.add(m, m, v)
	e.store(c.mem("m"), m)
	e.mul(sq, g, g)
	e.load(v, c.mem("v"))
	e.sub(sq, sq, v)
	e.mul(sq, c.s("c2"), sq)
	e.add(v, v, sq)
	e.store(c.mem("v"), v)
}

// decayedSqrtStep emits w ← decay·w − (lrt·m)/(√h + eps); m and h are
// overwritten, t is scratch.
func decayedSqrtStep(e ew, c *ewCtx, m, t, h reg.VecPhysical) {
	e.sqrt(h, h)
	e.add(h, h, c.s("eps"))
	e.mul(m, c.s("lrt"), m)
	e.div(m, m, h)
	e.mul(t, c.s("decay"), c.mem("w"))
	e.sub(t, t, m)
	e.store(c.mem("w"), t)
}

// scheduleFreeMove emits y ← y + ck·(z − y), y ← y + a·d and z ← z − lr·d
// for y in y and the step d in d; z and t are scratch.
func scheduleFreeMove(e ew, c *ewCtx, y, d, z, t reg.VecPhysical) {
	e.load(z, c.mem("z"))
	e.sub(t, z, y)
	e.mul(t, c.s("ck"), t)
	e.add(y, y, t)
	e.mul(t, c.s("a"), d)
	e.add(y, y, t)
	e.store(c.mem("y"), y)
	e.mul(t, c.s("lr"), d)
	e.sub(z, z, t)
	e.store(c.mem("z"), z)
}
