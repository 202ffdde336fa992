// Command asmgen writes the register-tiled GEMM micro-kernels of package
// kernel (gemm_amd64.s and its Go declarations, gemm_stub_amd64.go) with avo.
// It lives in its own module so that runner itself does not depend on avo.
//
// Regenerate from internal/kernel with
//
//	go generate
//
// which runs
//
//	cd asmgen && go run . -out ../gemm_amd64.s -stubs ../gemm_stub_amd64.go -pkg kernel
//
// With -kernels elementwise it writes the element-wise kernels instead
// (elementwise_amd64.s and elementwise_stub_amd64.go; see elementwise.go).
//
// Every GEMM kernel has the signature
//
//	func(kc int, a *T, rs, ps int, b *T, ldb int, c *T, ldc int, alpha, beta T, loadC int)
//
// and computes one mr×nr tile of C = alpha·A·B + beta·C, where element
// (r, p) of the mr×kc panel of A is at a[r·rs + p·ps] (a packed panel has
// rs = 1, ps = mr; a panel read in place from row-major A has rs = lda,
// ps = 1, or rs = 1, ps = lda when A is transposed), step p of the kc×nr
// panel of B is the nr elements at b[p·ldb] (ldb = nr for a packed panel,
// B's row stride for one read in place) and c the top-left element of the
// tile with row stride ldc (in elements). With loadC == 0, C is written without being read
// (beta is ignored). Each element of the tile is summed in the order
// p = 0, 1, …, kc-1 with one fused multiply-add per step, then scaled:
// C = alpha·acc, or fma(beta, C, alpha·acc). So a kernel is deterministic,
// and kernels of different vector widths do the same arithmetic per
// element; the portable (gonum) path sums differently and may differ from
// them in the last bits.
package main

import (
	"flag"
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// spec describes one micro-kernel.
type spec struct {
	isa    string // "AVX2" or "AVX512"
	elem   int    // element size in bytes: 4 (float32) or 8 (float64)
	mr, nv int    // rows of the tile, vectors per row of the tile
}

func (s spec) vbytes() int {
	if s.isa == "AVX512" {
		return 64
	}
	return 32
}

func (s spec) nr() int { return s.nv * s.vbytes() / s.elem }

func (s spec) name() string {
	p := "s"
	if s.elem == 8 {
		p = "d"
	}
	return fmt.Sprintf("%sgemmKernel%s_%dx%d", p, s.isa, s.mr, s.nr())
}

func (s spec) vec(i int) reg.VecPhysical {
	if s.isa == "AVX512" {
		return zmm[i]
	}
	return ymm[i]
}

var (
	ymm = []reg.VecPhysical{reg.Y0, reg.Y1, reg.Y2, reg.Y3, reg.Y4, reg.Y5, reg.Y6, reg.Y7,
		reg.Y8, reg.Y9, reg.Y10, reg.Y11, reg.Y12, reg.Y13, reg.Y14, reg.Y15}
	zmm = []reg.VecPhysical{reg.Z0, reg.Z1, reg.Z2, reg.Z3, reg.Z4, reg.Z5, reg.Z6, reg.Z7,
		reg.Z8, reg.Z9, reg.Z10, reg.Z11, reg.Z12, reg.Z13, reg.Z14, reg.Z15,
		reg.Z16, reg.Z17, reg.Z18, reg.Z19, reg.Z20, reg.Z21, reg.Z22, reg.Z23,
		reg.Z24, reg.Z25, reg.Z26, reg.Z27, reg.Z28, reg.Z29, reg.Z30, reg.Z31}
)

var kernels = flag.String("kernels", "gemm", "which kernels to write: gemm or elementwise")

func main() {
	flag.Parse()
	ConstraintExpr("!purego")
	switch *kernels {
	case "gemm":
		gemmKernels()
	case "elementwise":
		elementwiseKernels()
	default:
		panic("unknown -kernels " + *kernels)
	}
	Generate()
}

func gemmKernels() {
	for _, s := range []spec{
		{isa: "AVX512", elem: 4, mr: 10, nv: 2}, {isa: "AVX512", elem: 4, mr: 10, nv: 1},
		{isa: "AVX512", elem: 8, mr: 10, nv: 2}, {isa: "AVX512", elem: 8, mr: 10, nv: 1},
		{isa: "AVX2", elem: 4, mr: 6, nv: 2}, {isa: "AVX2", elem: 4, mr: 6, nv: 1},
		{isa: "AVX2", elem: 8, mr: 6, nv: 2}, {isa: "AVX2", elem: 8, mr: 6, nv: 1},
		// Quarter-width panels for the AVX-512 tiles (n = 100 leaves 4
		// columns): one 256-bit vector a row, which needs only AVX2 and
		// costs half a 512-bit FMA on CPUs that split those in two.
		{isa: "AVX2", elem: 4, mr: 10, nv: 1}, {isa: "AVX2", elem: 8, mr: 10, nv: 1},
	} {
		kernel(s)
	}
}

// kernel emits one micro-kernel. Register plan: vectors 0..nv-1 hold the
// current row of the B panel, the next two alternate as the broadcast of an
// element of A, and the rest (from 4 on) are the mr·nv accumulators.
func kernel(s spec) {
	t := "float32"
	vmov, bcast, fma, mul := VMOVUPS, VBROADCASTSS, VFMADD231PS, VMULPS
	if s.elem == 8 {
		t = "float64"
		vmov, bcast, fma, mul = VMOVUPD, VBROADCASTSD, VFMADD231PD, VMULPD
	}
	if 4+s.mr*s.nv > map[string]int{"AVX2": 16, "AVX512": 32}[s.isa] {
		panic("too many accumulators for " + s.name())
	}
	TEXT(s.name(), NOSPLIT, fmt.Sprintf("func(kc int, a *%s, rs, ps int, b *%s, ldb int, c *%s, ldc int, alpha, beta %s, loadC int)", t, t, t, t))
	Pragma("noescape")
	Doc(fmt.Sprintf("%s computes a %d×%d tile of C = alpha·A·B + beta·C from a panel of A with strides rs, ps and a panel of B with row stride ldb (%s).", s.name(), s.mr, s.nr(), s.isa))
	n := Load(Param("kc"), GP64())
	// Rows of A: bases[q] points at row 4q; row 4q+j is at bases[q] plus
	// 0, rs, 2·rs or rs3 = 3·rs bytes. Every base advances by ps bytes a step.
	rs := Load(Param("rs"), GP64())
	ps := Load(Param("ps"), GP64())
	shift := Imm(2)
	if s.elem == 8 {
		shift = Imm(3)
	}
	SHLQ(shift, rs)
	SHLQ(shift, ps)
	rs3 := GP64()
	LEAQ(Mem{Base: rs, Index: rs, Scale: 2}, rs3)
	bases := []reg.Register{Load(Param("a"), GP64())}
	for len(bases)*4 < s.mr {
		q := GP64()
		LEAQ(Mem{Base: bases[len(bases)-1], Index: rs, Scale: 4}, q)
		bases = append(bases, q)
	}
	row := func(r int) Mem {
		m := Mem{Base: bases[r/4]}
		switch r % 4 {
		case 1:
			m.Index, m.Scale = rs, 1
		case 2:
			m.Index, m.Scale = rs, 2
		case 3:
			m.Index, m.Scale = rs3, 1
		}
		return m
	}
	b := Load(Param("b"), GP64())
	ldb := Load(Param("ldb"), GP64())
	SHLQ(shift, ldb)
	c := Load(Param("c"), GP64())
	ldc := Load(Param("ldc"), GP64())
	vb := s.vbytes()
	acc := func(r, v int) reg.VecPhysical { return s.vec(4 + r*s.nv + v) }

	Comment("Zero the accumulators.")
	for r := 0; r < s.mr; r++ {
		for v := 0; v < s.nv; v++ {
			x := acc(r, v)
			if s.isa == "AVX512" {
				VPXORD(x, x, x)
			} else {
				VXORPS(x, x, x)
			}
		}
	}
	TESTQ(n, n)
	JZ(LabelRef(s.name() + "_store"))

	Label(s.name() + "_loop")
	for v := 0; v < s.nv; v++ {
		vmov(Mem{Base: b, Disp: v * vb}, s.vec(v))
	}
	for r := 0; r < s.mr; r++ {
		tmp := s.vec(s.nv + r%2)
		bcast(row(r), tmp)
		for v := 0; v < s.nv; v++ {
			fma(s.vec(v), tmp, acc(r, v))
		}
	}
	for _, q := range bases {
		ADDQ(ps, q)
	}
	ADDQ(ldb, b)
	DECQ(n)
	JNZ(LabelRef(s.name() + "_loop"))

	Label(s.name() + "_store")
	Comment("C = alpha·acc (+ beta·C), row by row.")
	if s.elem == 8 {
		SHLQ(Imm(3), ldc)
	} else {
		SHLQ(Imm(2), ldc)
	}
	alpha, beta := s.vec(0), s.vec(1)
	bcast(addr("alpha"), alpha)
	load := Load(Param("loadC"), GP64())
	TESTQ(load, load)
	JZ(LabelRef(s.name() + "_noload"))
	bcast(addr("beta"), beta)
	for r := 0; r < s.mr; r++ {
		for v := 0; v < s.nv; v++ {
			mul(alpha, acc(r, v), acc(r, v))
			fma(Mem{Base: c, Disp: v * vb}, beta, acc(r, v))
			vmov(acc(r, v), Mem{Base: c, Disp: v * vb})
		}
		if r+1 < s.mr {
			ADDQ(ldc, c)
		}
	}
	VZEROUPPER()
	RET()

	Label(s.name() + "_noload")
	for r := 0; r < s.mr; r++ {
		for v := 0; v < s.nv; v++ {
			mul(alpha, acc(r, v), acc(r, v))
			vmov(acc(r, v), Mem{Base: c, Disp: v * vb})
		}
		if r+1 < s.mr {
			ADDQ(ldc, c)
		}
	}
	VZEROUPPER()
	RET()
}

// addr is the stack address of a scalar parameter.
func addr(name string) Mem {
	b, err := Param(name).Resolve()
	if err != nil {
		panic(err)
	}
	return b.Addr
}
