package main

// The element-wise kernels: ReLU forward and backward and the optimizers'
// per-element updates. Every kernel has the signature
//
//	func(n int, p1, p2, … *T, s1, s2, … T)
//
// and processes the first n elements of the slices behind p1, p2, … (n a
// multiple of the vector width; the caller does the rest in Go), with the
// scalars s1, s2, … broadcast to every lane. Each kernel performs, lane by
// lane, exactly the operations of its portable Go version in package kernel,
// in the same order and with no fused multiply-add, so the results are
// bit-identical: additions, subtractions, products, quotients and square
// roots are each correctly rounded in both. (The gradient is called grad, as
// g is the goroutine register to the Go assembler.)

import (
	"fmt"
	"math/bits"
	"strings"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// ew is an instruction set and an element size.
type ew struct {
	isa  string // "AVX2" or "AVX512"
	elem int    // 4 (float32) or 8 (float64)
}

func (e ew) vbytes() int { return spec{isa: e.isa}.vbytes() }
func (e ew) lanes() int  { return e.vbytes() / e.elem }
func (e ew) vec(i int) reg.VecPhysical {
	return spec{isa: e.isa}.vec(i)
}
func (e ew) nvec() int { return map[string]int{"AVX2": 16, "AVX512": 32}[e.isa] }

func (e ew) typ() string {
	if e.elem == 8 {
		return "float64"
	}
	return "float32"
}

// pick returns the single-precision or the double-precision form.
func (e ew) pick(ps, pd func(...Op)) func(...Op) {
	if e.elem == 8 {
		return pd
	}
	return ps
}

// Three-operand arithmetic, written dst = a op b (avo takes Go assembler
// order, b first). b may be a memory operand.
func (e ew) add(dst, a, b Op) { e.pick(VADDPS, VADDPD)(b, a, dst) }
func (e ew) sub(dst, a, b Op) { e.pick(VSUBPS, VSUBPD)(b, a, dst) }
func (e ew) mul(dst, a, b Op) { e.pick(VMULPS, VMULPD)(b, a, dst) }
func (e ew) div(dst, a, b Op) { e.pick(VDIVPS, VDIVPD)(b, a, dst) }
func (e ew) sqrt(dst, a Op)   { e.pick(VSQRTPS, VSQRTPD)(a, dst) }
func (e ew) load(dst, m Op)   { e.pick(VMOVUPS, VMOVUPD)(m, dst) }
func (e ew) store(m, src Op)  { e.pick(VMOVUPS, VMOVUPD)(src, m) }

// ewKernel describes one element-wise kernel.
type ewKernel struct {
	op      string   // name after the precision prefix, e.g. "adamStep"
	doc     string   // what it computes, for the Go declaration
	ptrs    []string // slice parameters, in order
	scalars []string // scalar parameters, in order ("zero" is not a parameter but a zeroed register)
	temps   int      // vector temporaries per unrolled copy
	unroll  map[string]int
	body    func(e ew, k *ewCtx)
}

// ewCtx hands a kernel body its operands for the unrolled copy u.
type ewCtx struct {
	e       ew
	k       ewKernel
	u       int
	ptr     map[string]reg.Register
	scalar  map[string]reg.VecPhysical
	scratch int // first temporary register
}

// mem is the current vector of slice p.
func (c *ewCtx) mem(p string) Mem { return Mem{Base: c.ptr[p], Disp: c.u * c.e.vbytes()} }

// s is the broadcast scalar s.
func (c *ewCtx) s(name string) reg.VecPhysical { return c.scalar[name] }

// t is temporary j of this copy.
func (c *ewCtx) t(j int) reg.VecPhysical { return c.e.vec(c.scratch + c.u*c.k.temps + j) }

func (k ewKernel) name(e ew) string {
	p := "s"
	if e.elem == 8 {
		p = "d"
	}
	return p + k.op + e.isa
}

func elementwiseKernels() {
	for _, e := range []ew{{"AVX512", 4}, {"AVX512", 8}, {"AVX2", 4}, {"AVX2", 8}} {
		for _, k := range ewKernels {
			emitElementwise(e, k)
		}
		if modernISAs[e.isa] {
			for _, k := range modernKernels {
				emitElementwise(e, k)
			}
		}
		colSumsKernel(e)
		unitBytesKernel(e)
	}
}

// emitElementwise writes kernel k for e: the scalars are broadcast to
// registers 0…, then a loop handles unroll vectors per iteration and a
// second loop the remaining vectors one at a time.
func emitElementwise(e ew, k ewKernel) {
	name := k.name(e)
	var params []string
	for _, s := range k.scalars {
		if s != "zero" {
			params = append(params, s)
		}
	}
	sig := "func(n int, " + strings.Join(k.ptrs, ", ") + " *" + e.typ()
	if len(params) > 0 {
		sig += ", " + strings.Join(params, ", ") + " " + e.typ()
	}
	sig += ")"
	TEXT(name, NOSPLIT, sig)
	Pragma("noescape")
	Doc(fmt.Sprintf("%s %s for the first n elements (n a multiple of %d; %s).", name, k.doc, e.lanes(), e.isa))

	unroll := k.unroll[e.isa]
	c := &ewCtx{e: e, k: k, ptr: map[string]reg.Register{}, scalar: map[string]reg.VecPhysical{}, scratch: len(k.scalars)}
	if c.scratch+unroll*k.temps > e.nvec() {
		panic("too many vector registers for " + name)
	}
	n := Load(Param("n"), GP64())
	for _, p := range k.ptrs {
		c.ptr[p] = Load(Param(p), GP64())
	}
	for i, s := range k.scalars {
		x := e.vec(i)
		c.scalar[s] = x
		switch {
		case s == "zero" && e.isa == "AVX512":
			VPXORD(x, x, x)
		case s == "zero":
			VXORPS(x, x, x)
		case e.elem == 8:
			VBROADCASTSD(addr(s), x)
		default:
			VBROADCASTSS(addr(s), x)
		}
	}
	SHRQ(Imm(uint64(bits.TrailingZeros(uint(e.lanes())))), n)

	step := func(vectors int) {
		for u := 0; u < vectors; u++ {
			c.u = u
			k.body(e, c)
		}
		for _, p := range k.ptrs {
			ADDQ(U32(vectors*e.vbytes()), c.ptr[p])
		}
	}
	Label(name + "_loop")
	CMPQ(n, U32(unroll))
	JB(LabelRef(name + "_tail"))
	step(unroll)
	SUBQ(U32(unroll), n)
	JMP(LabelRef(name + "_loop"))

	Label(name + "_tail")
	TESTQ(n, n)
	JZ(LabelRef(name + "_done"))
	step(1)
	DECQ(n)
	JMP(LabelRef(name + "_tail"))

	Label(name + "_done")
	VZEROUPPER()
	RET()
}

var (
	unrollNarrow = map[string]int{"AVX2": 4, "AVX512": 4}
	unrollUpdate = map[string]int{"AVX2": 2, "AVX512": 4}
)

// ewKernels are the kernels, each body the vector form of the portable Go
// loop named in its doc, operation for operation.
var ewKernels = []ewKernel{
	{
		op: "relu", doc: "sets y = x where x > 0, else +0", ptrs: []string{"y", "x"}, scalars: []string{"zero"},
		temps: 1, unroll: unrollNarrow,
		body: func(e ew, c *ewCtx) {
			// MAXPS returns its second source unless the first is greater:
			// x > 0 ? x : 0, so NaN and −0 give +0, as in the Go loop.
			c.e.load(c.t(0), c.mem("x"))
			e.pick(VMAXPS, VMAXPD)(c.s("zero"), c.t(0), c.t(0))
			c.e.store(c.mem("y"), c.t(0))
		},
	},
	{
		op: "reluBackward", doc: "sets dx = dy where y > 0, else +0", ptrs: []string{"dx", "dy", "y"}, scalars: []string{"zero"},
		temps: 1, unroll: unrollNarrow,
		body: func(e ew, c *ewCtx) {
			const ltOQ = 0x11 // 0 < y, false for NaN
			if e.isa == "AVX512" {
				k := []reg.OpmaskPhysical{reg.K1, reg.K2, reg.K3, reg.K4}[c.u]
				e.pick(VCMPPS, VCMPPD)(Imm(ltOQ), c.mem("y"), c.s("zero"), k)
				if e.elem == 8 {
					VMOVUPD_Z(c.mem("dy"), k, c.t(0))
				} else {
					VMOVUPS_Z(c.mem("dy"), k, c.t(0))
				}
			} else {
				e.pick(VCMPPS, VCMPPD)(Imm(ltOQ), c.mem("y"), c.s("zero"), c.t(0))
				e.pick(VANDPS, VANDPD)(c.mem("dy"), c.t(0), c.t(0))
			}
			c.e.store(c.mem("dx"), c.t(0))
		},
	},
	{
		op: "sgdStep", doc: "computes w ← w − lr·g", ptrs: []string{"w", "grad"}, scalars: []string{"lr"},
		temps: 2, unroll: unrollNarrow,
		body: func(e ew, c *ewCtx) {
			e.mul(c.t(0), c.s("lr"), c.mem("grad"))
			e.load(c.t(1), c.mem("w"))
			e.sub(c.t(1), c.t(1), c.t(0))
			e.store(c.mem("w"), c.t(1))
		},
	},
	{
		op: "momentumStep", doc: "computes v ← alpha·v − lr·g; w ← w + v", ptrs: []string{"w", "grad", "v"}, scalars: []string{"alpha", "lr"},
		temps: 2, unroll: unrollUpdate,
		body: func(e ew, c *ewCtx) {
			e.mul(c.t(0), c.s("alpha"), c.mem("v"))
			e.mul(c.t(1), c.s("lr"), c.mem("grad"))
			e.sub(c.t(0), c.t(0), c.t(1))
			e.store(c.mem("v"), c.t(0))
			e.load(c.t(1), c.mem("w"))
			e.add(c.t(1), c.t(1), c.t(0))
			e.store(c.mem("w"), c.t(1))
		},
	},
	{
		op: "nesterovStep", doc: "computes w ← w + (alpha2·v − c·g); v ← alpha·v − lr·g", ptrs: []string{"w", "grad", "v"},
		scalars: []string{"alpha", "alpha2", "c", "lr"}, temps: 3, unroll: unrollUpdate,
		body: func(e ew, c *ewCtx) {
			v, t, u := c.t(0), c.t(1), c.t(2)
			e.load(v, c.mem("v"))
			e.mul(t, c.s("alpha2"), v)
			e.mul(u, c.s("c"), c.mem("grad"))
			e.sub(t, t, u)
			e.load(u, c.mem("w"))
			e.add(u, u, t)
			e.store(c.mem("w"), u)
			e.mul(v, c.s("alpha"), v)
			e.mul(t, c.s("lr"), c.mem("grad"))
			e.sub(v, v, t)
			e.store(c.mem("v"), v)
		},
	},
	{
		op: "adaGradStep", doc: "computes h ← h + g·g; w ← w − lr·g/(√h + eps)", ptrs: []string{"w", "grad", "h"},
		scalars: []string{"lr", "eps"}, temps: 3, unroll: unrollUpdate,
		body: func(e ew, c *ewCtx) {
			g, t, h := c.t(0), c.t(1), c.t(2)
			e.load(g, c.mem("grad"))
			e.mul(t, g, g)
			e.load(h, c.mem("h"))
			e.add(h, h, t)
			e.store(c.mem("h"), h)
			sqrtStep(e, c, g, t, h, "lr")
		},
	},
	{
		op: "rmspropStep", doc: "computes h ← rho·h + c·g·g; w ← w − lr·g/(√h + eps)", ptrs: []string{"w", "grad", "h"},
		scalars: []string{"rho", "c", "lr", "eps"}, temps: 3, unroll: unrollUpdate,
		body: func(e ew, c *ewCtx) {
			g, t, h := c.t(0), c.t(1), c.t(2)
			e.load(g, c.mem("grad"))
			e.mul(t, c.s("c"), g)
			e.mul(t, t, g)
			e.mul(h, c.s("rho"), c.mem("h"))
			e.add(h, h, t)
			e.store(c.mem("h"), h)
			sqrtStep(e, c, g, t, h, "lr")
		},
	},
	{
		op: "adamStep", doc: "computes m ← m + c1·(g − m); v ← v + c2·(g·g − v); w ← w − lrt·m/(√v + eps)",
		ptrs: []string{"w", "grad", "m", "v"}, scalars: []string{"lrt", "c1", "c2", "eps"}, temps: 3, unroll: unrollUpdate,
		body: func(e ew, c *ewCtx) {
			g, m, v := c.t(0), c.t(1), c.t(2)
			adamMoments(e, c, g, m, v, g)
			// w ← w − lrt·m/(√v + eps), with m in place of g.
			sqrtStep(e, c, m, g, v, "lrt")
		},
	},
}

// sqrtStep emits w ← w − (lr·x)/(√h + eps) for the scaled quantity x
// (AdaGrad's and RMSprop's g, Adam's m); h is overwritten, t is scratch.
func sqrtStep(e ew, c *ewCtx, x, t, h reg.VecPhysical, lr string) {
	e.sqrt(h, h)
	e.add(h, h, c.s("eps"))
	e.mul(x, c.s(lr), x)
	e.div(x, x, h)
	e.load(t, c.mem("w"))
	e.sub(t, t, x)
	e.store(c.mem("w"), t)
}

// colSumsKernel emits dst[j] = Σ_r src[r·ld + j] for the first n columns (n
// a multiple of the vector width): groups of four vectors of columns, then
// single vectors, each summed over the rows in order r = 0, 1, … from +0,
// as ColSums's portable loop adds them (vectorising across columns keeps
// every column's order).
func colSumsKernel(e ew) {
	p := "s"
	if e.elem == 8 {
		p = "d"
	}
	name := p + "colSums" + e.isa
	TEXT(name, NOSPLIT, "func(rows, n, ld int, dst, src *"+e.typ()+")")
	Pragma("noescape")
	Doc(fmt.Sprintf("%s sets dst[j] to the sum over the rows of column j of src (row stride ld) for the first n columns (n a multiple of %d; %s).", name, e.lanes(), e.isa))
	rows := Load(Param("rows"), GP64())
	n := Load(Param("n"), GP64())
	ld := Load(Param("ld"), GP64())
	dst := Load(Param("dst"), GP64())
	src := Load(Param("src"), GP64())
	SHLQ(Imm(uint64(bits.TrailingZeros(uint(e.elem)))), ld)
	SHRQ(Imm(uint64(bits.TrailingZeros(uint(e.lanes())))), n)
	p0, r := GP64(), GP64()
	group := func(label string, vectors int) {
		for v := 0; v < vectors; v++ {
			x := e.vec(v)
			if e.isa == "AVX512" {
				VPXORD(x, x, x)
			} else {
				VXORPS(x, x, x)
			}
		}
		MOVQ(src, p0)
		MOVQ(rows, r)
		TESTQ(r, r)
		JZ(LabelRef(label + "_store"))
		Label(label + "_rows")
		for v := 0; v < vectors; v++ {
			e.add(e.vec(v), e.vec(v), Mem{Base: p0, Disp: v * e.vbytes()})
		}
		ADDQ(ld, p0)
		DECQ(r)
		JNZ(LabelRef(label + "_rows"))
		Label(label + "_store")
		for v := 0; v < vectors; v++ {
			e.store(Mem{Base: dst, Disp: v * e.vbytes()}, e.vec(v))
		}
		ADDQ(U32(vectors*e.vbytes()), dst)
		ADDQ(U32(vectors*e.vbytes()), src)
		SUBQ(U32(vectors), n)
	}
	Label(name + "_four")
	CMPQ(n, U32(4))
	JB(LabelRef(name + "_one"))
	group(name+"_g4", 4)
	JMP(LabelRef(name + "_four"))
	Label(name + "_one")
	TESTQ(n, n)
	JZ(LabelRef(name + "_done"))
	group(name+"_g1", 1)
	JMP(LabelRef(name + "_one"))
	Label(name + "_done")
	VZEROUPPER()
	RET()
}

// unitBytesKernel emits dst[i] = T(src[i]) / d for the first n bytes (n a
// multiple of the vector width): zero-extend to 32-bit integers, convert
// (exactly) and divide, correctly rounded like Go's division, so that with
// d = 255 the result is bit-identical to T(b)/T(255).
func unitBytesKernel(e ew) {
	p := "s"
	if e.elem == 8 {
		p = "d"
	}
	name := p + "unitBytes" + e.isa
	TEXT(name, NOSPLIT, "func(n int, dst *"+e.typ()+", src *byte, d "+e.typ()+")")
	Pragma("noescape")
	Doc(fmt.Sprintf("%s sets dst[i] = src[i]/d for the first n bytes (n a multiple of %d; %s).", name, e.lanes(), e.isa))
	n := Load(Param("n"), GP64())
	dst := Load(Param("dst"), GP64())
	src := Load(Param("src"), GP64())
	d := e.vec(0)
	if e.elem == 8 {
		VBROADCASTSD(addr("d"), d)
	} else {
		VBROADCASTSS(addr("d"), d)
	}
	SHRQ(Imm(uint64(bits.TrailingZeros(uint(e.lanes())))), n)
	const unroll = 4
	// The integers: as many 32-bit lanes as there are elements, which for
	// float64 is half a vector.
	ints := func(i int) reg.Register {
		x := e.vec(1 + i)
		switch {
		case e.elem == 4:
			return x
		case e.isa == "AVX512":
			return x.AsY()
		}
		return x.AsX()
	}
	step := func(vectors int) {
		for u := 0; u < vectors; u++ {
			x := e.vec(1 + u)
			VPMOVZXBD(Mem{Base: src, Disp: u * e.lanes()}, ints(u))
			if e.elem == 8 {
				VCVTDQ2PD(ints(u), x)
			} else {
				VCVTDQ2PS(x, x)
			}
			e.div(x, x, d)
			e.store(Mem{Base: dst, Disp: u * e.vbytes()}, x)
		}
		ADDQ(U32(vectors*e.lanes()), src)
		ADDQ(U32(vectors*e.vbytes()), dst)
	}
	Label(name + "_loop")
	CMPQ(n, U32(unroll))
	JB(LabelRef(name + "_tail"))
	step(unroll)
	SUBQ(U32(unroll), n)
	JMP(LabelRef(name + "_loop"))
	Label(name + "_tail")
	TESTQ(n, n)
	JZ(LabelRef(name + "_done"))
	step(1)
	DECQ(n)
	JMP(LabelRef(name + "_tail"))
	Label(name + "_done")
	VZEROUPPER()
	RET()
}
