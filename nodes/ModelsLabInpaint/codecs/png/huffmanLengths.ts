/**
 * Huffman code lengths for symbol frequencies, no code longer than a limit: what deflate's
 * dynamic blocks (deflateBlocks.ts) send for their literal, distance and code-length alphabets.
 * Memory: a few arrays of twice the alphabet's size (at most 286 symbols).
 */

/**
 * Code lengths of at most `maxBits` for symbol frequencies: a Huffman tree's depths, then, when a
 * depth passes the limit, lengths moved until the Kraft sum is exactly 1 again (zlib's inflate
 * refuses incomplete codes). At least two symbols get a code, as zlib's encoder makes sure too.
 */
export function huffmanLengths(frequencies: Uint32Array, maxBits: number): Uint8Array {
	const count = frequencies.length;
	const used: number[] = [];
	for (let symbol = 0; symbol < count; symbol++) if (frequencies[symbol] > 0) used.push(symbol);
	for (let symbol = 0; used.length < 2; symbol++) if (!used.includes(symbol)) used.push(symbol);
	used.sort((a, b) => frequencies[a] - frequencies[b] || a - b);
	// The tree by two queues: the sorted leaves, and inner nodes, made in rising weight.
	const leaves = used.length;
	const weight = new Float64Array(2 * leaves - 1);
	const parent = new Int32Array(2 * leaves - 1);
	for (let i = 0; i < leaves; i++) weight[i] = frequencies[used[i]];
	let nextLeaf = 0;
	let nextInner = leaves;
	for (let inner = leaves; inner < 2 * leaves - 1; inner++) {
		for (let pick = 0; pick < 2; pick++) {
			const takeLeaf =
				nextLeaf < leaves && (nextInner >= inner || weight[nextLeaf] <= weight[nextInner]);
			const child = takeLeaf ? nextLeaf++ : nextInner++;
			parent[child] = inner;
			weight[inner] += weight[child];
		}
	}
	// Children are made before their parent, so depths follow from the root down.
	const depth = new Uint8Array(2 * leaves - 1);
	const lengthCounts = new Uint32Array(Math.max(maxBits, 64) + 1);
	for (let node = 2 * leaves - 3; node >= 0; node--) {
		depth[node] = depth[parent[node]] + 1;
		if (node < leaves) lengthCounts[Math.min(depth[node], maxBits)]++;
	}
	const full = 2 ** maxBits;
	let kraft = 0;
	for (let length = 1; length <= maxBits; length++) {
		kraft += lengthCounts[length] * 2 ** (maxBits - length);
	}
	// Too long codes were cut to maxBits, so the code is over-full: lengthen the longest others.
	while (kraft > full) {
		let length = maxBits - 1;
		while (lengthCounts[length] === 0) length--;
		lengthCounts[length]--;
		lengthCounts[length + 1]++;
		kraft -= 2 ** (maxBits - length - 1);
	}
	// Then fill what that freed, shortening codes from the longest up, which always ends exact.
	for (let length = maxBits; length >= 2 && kraft < full; ) {
		const gain = 2 ** (maxBits - length);
		if (lengthCounts[length] > 0 && gain <= full - kraft) {
			lengthCounts[length]--;
			lengthCounts[length - 1]++;
			kraft += gain;
		} else length--;
	}
	// The rarest symbols get the longest codes.
	const lengths = new Uint8Array(count);
	let leaf = 0;
	for (let length = maxBits; length >= 1; length--) {
		for (let i = 0; i < lengthCounts[length]; i++) lengths[used[leaf++]] = length;
	}
	return lengths;
}
