package shard

import (
	"container/heap"
	"crypto/sha256"
	"encoding/binary"
	"errors"
)

// Partition assigns each of keys to one of n shards by rendezvous hashing
// with bounded loads (see the package comment) and returns the shard of
// each, in 0 … n−1 (all 0 for n ≤ 1). It depends on the set of keys and n
// only, not on their order; equal keys go to shards as if they differed.
func Partition(keys []string, n int) []int {
	owner := make([]int, len(keys))
	if n <= 1 {
		return owner
	}
	room := make([]int, n)
	for j := range room {
		room[j] = len(keys) / n
		if j < len(keys)%n {
			room[j]++
		}
	}
	h := &candidates{keys: keys, hash: make([]uint64, len(keys))}
	for i, k := range keys {
		sum := sha256.Sum256([]byte(k))
		h.hash[i] = binary.BigEndian.Uint64(sum[:8])
		h.items = append(h.items, h.next(i, n, candidate{key: i, shard: -1, weight: ^uint64(0)}))
	}
	heap.Init(h)
	for h.Len() > 0 {
		c := heap.Pop(h).(candidate)
		if room[c.shard] > 0 {
			room[c.shard]--
			owner[c.key] = c.shard
			continue
		}
		heap.Push(h, h.next(c.key, n, c)) // the shard is full: the key's next heaviest
	}
	return owner
}

// A candidate is a pair of a key and a shard, with its weight.
type candidate struct {
	key, shard int
	weight     uint64
}

// candidates is a heap of the heaviest pair of each unassigned key not yet
// refused, the heaviest on top; ties go to the lower key, then shard.
type candidates struct {
	keys  []string
	hash  []uint64 // of each key
	items []candidate
}

// heavier orders pairs: by weight, then key, then shard.
func (h *candidates) heavier(a, b candidate) bool {
	if a.weight != b.weight {
		return a.weight > b.weight
	}
	if a.key != b.key && h.keys[a.key] != h.keys[b.key] {
		return h.keys[a.key] < h.keys[b.key]
	}
	if a.key != b.key {
		return a.key < b.key
	}
	return a.shard < b.shard
}

// next returns the heaviest pair of key below the pair after.
func (h *candidates) next(key, n int, after candidate) candidate {
	best := candidate{key: key, shard: -1}
	for j := range n {
		c := candidate{key: key, shard: j, weight: weight(h.hash[key], j)}
		if (after.shard < 0 || h.heavier(after, c)) && (best.shard < 0 || h.heavier(c, best)) {
			best = c
		}
	}
	if best.shard < 0 {
		panic(errors.New("shard: partition: a key found every shard full")) // cannot be: the rooms add up to the keys
	}
	return best
}

func (h *candidates) Len() int           { return len(h.items) }
func (h *candidates) Less(i, j int) bool { return h.heavier(h.items[i], h.items[j]) }
func (h *candidates) Swap(i, j int)      { h.items[i], h.items[j] = h.items[j], h.items[i] }
func (h *candidates) Push(x any)         { h.items = append(h.items, x.(candidate)) }
func (h *candidates) Pop() any {
	c := h.items[len(h.items)-1]
	h.items = h.items[:len(h.items)-1]
	return c
}

// weight is the weight of the pair of a key (by its hash) and shard j: a
// 64-bit mix of both (SplitMix64's finalizer), the same on every machine.
func weight(key uint64, j int) uint64 {
	return mix64(key ^ mix64(uint64(j)+0x9e3779b97f4a7c15))
}

// mix64 is SplitMix64's finalizer.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}
