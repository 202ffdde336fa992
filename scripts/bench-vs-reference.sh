#!/usr/bin/env bash
# Times one training epoch of the book's network (784-100-100-100-100-10,
# ReLU, He, batch 100, all 60,000 images, float32, one thread) in runner and
# in the reference trainers of ../shared/bench (numpy and PyTorch), side by
# side in one run, interleaved, and prints the median seconds per epoch of
# each and their ratio. The machines are shared and noisy: only ratios
# measured together mean anything.
#
#   scripts/bench-vs-reference.sh [ROUNDS] [OPTIMIZERS...]
#
# Needs Debian's python3-numpy and python3-torch for the references
# (apt-get install -y python3-numpy python3-torch libopenblas0-pthread);
# a reference that cannot run is skipped with a note.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
shift || true
optimizers=("${@:-sgd adam}")
read -r -a optimizers <<< "${optimizers[*]}"
bench=${BENCH_DIR:-../shared/bench}
dtype=${DTYPE:-float32}
py=/usr/bin/python3
declare -A lr=([sgd]=0.1 [momentum]=0.01 [adagrad]=0.01 [adam]=0.001)

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go test -c -o "$tmp/train.test" ./internal/train/ >/dev/null

ref_ok() { # impl: does the reference run here?
	[ -f "$bench/mlp_$1.py" ] && "$py" -c "import ${2}" 2>/dev/null
}

for opt in "${optimizers[@]}"; do
	for ((r = 1; r <= rounds; r++)); do
		# runner: one epoch per sample; GOMAXPROCS=1 keeps it to one thread.
		GOMAXPROCS=1 "$tmp/train.test" -test.run XXX -test.bench "Epoch/$dtype/$opt\$" -test.benchtime 1x -test.count 3 |
			awk '/s\/epoch/ { for (i = 1; i <= NF; i++) if ($(i+1) == "s/epoch") print $i }' >> "$tmp/runner-$opt"
		for impl in numpy torch; do
			mod=$impl
			ref_ok "$impl" "$mod" || continue
			env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$py" "$bench/mlp_$impl.py" --optimizer "$opt" \
				--lr "${lr[$opt]}" --epochs 3 --dtype "$dtype" --threads 1 2>/dev/null |
				sed -n 's/^epoch=.* train_s=\([0-9.]*\).*/\1/p' >> "$tmp/$impl-$opt"
		done
	done
done

median() { sort -g "$1" | awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "one epoch, $dtype, one thread; medians"
printf '%-10s %-8s %10s %8s %10s\n' optimizer impl s/epoch samples "vs runner"
for opt in "${optimizers[@]}"; do
	base=$(median "$tmp/runner-$opt")
	for impl in runner numpy torch; do
		f="$tmp/$impl-$opt"
		if [ ! -s "$f" ]; then
			printf '%-10s %-8s %10s\n' "$opt" "$impl" "(not run)"
			continue
		fi
		m=$(median "$f")
		printf '%-10s %-8s %10.3f %8d %9.2fx\n' "$opt" "$impl" "$m" "$(wc -l < "$f")" "$(awk -v a="$m" -v b="$base" 'BEGIN { print a / b }')"
	done
done
