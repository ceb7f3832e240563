import type { TimeSlice } from '../../../shared/pacing/timeSlice';
import type { Box } from '../raster';
import { readJpegBand, type JpegBand, type SpliceRun } from './jpegBand';
import type { ScanRows } from './jpegScan';
import { readJpegCoefficients } from './jpegDecode';
import { BLOCK_BYTES } from './jpegEncode';
import { huffmanEncoding, JpegBitWriter, type HuffmanEncoding } from './jpegEntropy';
import type { HuffmanTable } from './jpegHuffman';
import { mcuAlignedBox, type JpegCoefficients } from './jpegRegion';
import { writeJpegCoefficients, writeMcu, type ComponentWriter } from './jpegRewrite';

/**
 * A JPEG photo patched in a box of whole MCUs, written back with everything else as it was: the
 * file's own segments and Huffman tables, and the entropy-coded bits of every MCU the patch does
 * not touch copied from the original (stuffing undone and done again where they move by a few
 * bits), so outside the patched MCUs the file holds the same codes and any decoder the same pixels.
 * Only the patched MCUs are coded again, plus one MCU after each row of them, whose DC is coded as
 * the change from the patch's last DC (jpegBand.ts `runsFor`). Where the photo's layout does not
 * allow it (progressive, restart markers, several scans), where its tables lack a code the new
 * coefficients need (tables made for one picture), or where its data is damaged, the whole file
 * is written again from its coefficients with the standard tables (jpegRewrite.ts), as before.
 *
 * Between the runs and after the last, the original's bits are copied. To copy them as they are
 * (bytes, stuffing and all; after the last run, to the scan's last byte with its padding, without
 * decoding them), each must land at the bit offset it had: a run is written again with a few ZRL
 * codes (16 zeros) put before EOBs in its last few MCUs (else anywhere in it), which decoders skip
 * (T.81 F.2.2.2), as many as move its end by the bits missing, mod 8. Where the tables have no ZRL
 * code or the blocks no room for one, the bits are moved as they are copied (their stuffing done
 * again), and after the last run the rest of the scan is decoded (jpegBand.ts `finish`) to find
 * where its last MCU ends, to pad it again.
 *
 * Memory: the band's coefficients (jpegBand.ts), and the new file, about the old one's size.
 */

/** The MCUs at a run's end that get the ZRLs that move it, when they have room for them. */
const PADDED_MCUS = 4;
/** Bytes copied between two looks at the time slice. */
const COPY_BYTES = 1 << 18;

/** The encoder's codes for a table read from the file (T.81 C: the codes of each length in order). */
export function encodingOf(table: HuffmanTable): HuffmanEncoding {
	const counts: number[] = [];
	let code = 0;
	for (let length = 1; length <= 16; length++) {
		const count = table.maxCode[length] >= 0 ? table.maxCode[length] - code + 1 : 0;
		counts.push(count);
		code = (code + count) << 1;
	}
	const total = counts.reduce((sum, count) => sum + count, 0);
	return huffmanEncoding({ counts, symbols: Array.from(table.symbols.subarray(0, total)) });
}

/**
 * The segments after SOI and before the scan's data at `dataStart`: where each starts (fill bytes
 * 0xFF included), where its marker is, and where it ends; undefined at bytes that are no segment.
 */
export function segmentsBefore(file: Uint8Array, dataStart: number) {
	const segments: Array<{ at: number; marker: number; end: number }> = [];
	for (let at = 2; at < dataStart; ) {
		if (file[at] !== 0xff) return undefined;
		let marker = at;
		while (file[marker + 1] === 0xff) marker++;
		const end = marker + 2 + ((file[marker + 2] << 8) | file[marker + 3]);
		if (end > dataStart) return undefined;
		segments.push({ at, marker, end });
		at = end;
	}
	return segments;
}

/** The segments from SOI to the scan's data, but for an APP2 "MPF" one: the images it points to
 * after the first one are not written, and its offsets would be wrong. */
function headerPieces(file: Uint8Array, dataStart: number): Uint8Array[] {
	const segments = segmentsBefore(file, dataStart);
	if (!segments) return [file.subarray(0, dataStart)]; // odd bytes: kept as they are
	const mpf = (marker: number) =>
		file[marker + 1] === 0xe2 &&
		String.fromCharCode(...file.subarray(marker + 4, marker + 8)) === 'MPF\0';
	const kept = segments.filter(({ marker }) => !mpf(marker));
	return [file.subarray(0, 2), ...kept.map(({ at, end }) => file.subarray(at, end))];
}

/** The original's bits from `from` to `to`, in slices (a cut falls between two data bytes); false at a marker. */
async function copyScan(
	out: JpegBitWriter,
	file: Uint8Array,
	from: number,
	to: number,
	slice: TimeSlice,
): Promise<boolean> {
	while (to - from > COPY_BYTES * 8) {
		let cut = (from >> 3) + COPY_BYTES;
		if (file[cut - 1] === 0xff) cut++; // not between FF and its stuffed 00
		if (!out.copyBits(file, from, cut * 8)) return false;
		from = cut * 8;
		if (slice.over) await slice.next();
	}
	return out.copyBits(file, from, to);
}

/**
 * How many ZRL codes each component's blocks should get (jpegEntropy.ts `writeBlock`) to write
 * `bits` more bits, mod 8: the fewest codes in all, or undefined when the tables cannot.
 */
function zrlCounts(writers: ComponentWriter[], bits: number): number[] | undefined {
	const lengths = writers.map((w) => w.ac.lengths[0xf0]);
	let best: number[] | undefined;
	let fewest = Infinity;
	for (let combination = 0; combination < 1 << (3 * writers.length); combination++) {
		const counts = lengths.map((_, i) => (combination >> (3 * i)) & 7);
		const added = counts.reduce((sum, count, i) => sum + count * lengths[i], 0);
		const codes = counts.reduce((sum, count) => sum + count, 0);
		const usable = counts.every((count, i) => count === 0 || lengths[i] > 0);
		if (usable && (added & 7) === bits && codes < fewest) [best, fewest] = [counts, codes];
	}
	return best;
}

/** The spliced file, or undefined when a code is missing or the data is not as read. */
async function spliced(
	file: Uint8Array,
	band: JpegBand,
	slice: TimeSlice,
): Promise<Uint8Array | undefined> {
	const { jpeg, runs, tables, firstRow } = band;
	const writers: ComponentWriter[] = jpeg.components.map((component, i) => ({
		component,
		dc: encodingOf(tables[i].dc),
		ac: encodingOf(tables[i].ac),
		previousDc: 0,
	}));
	const blocksPerMcu = jpeg.components.reduce((sum, c) => sum + c.h * c.v, 0);
	const out = new JpegBitWriter(file.length + 65536);
	for (const piece of headerPieces(file, band.dataStart)) out.writeBytes(piece);
	const across = jpeg.mcusPerLine;
	const writeMcus = async (first: number, end: number) => {
		for (let mcu = first; mcu < end; mcu++) {
			out.reserve(BLOCK_BYTES * blocksPerMcu);
			writeMcu(out, writers, Math.floor(mcu / across) - firstRow, mcu % across);
			if ((mcu & 15) === 15 && slice.over) await slice.next();
		}
	};
	const aligned = (bit: number) => out.bitPhase === (bit & 7);
	/** A run written, moved to end at `run.to`'s bit offset where ZRLs can (header comment). */
	const writeRun = async (run: SpliceRun) => {
		writers.forEach((w, i) => (w.previousDc = run.dc[i]));
		const tail = Math.max(run.first, run.end - PADDED_MCUS);
		const starts = [{ mcu: run.first, mark: out.mark(), dc: run.dc }];
		await writeMcus(run.first, tail);
		if (tail > run.first) {
			const dc = writers.map((w) => w.previousDc);
			starts.unshift({ mcu: tail, mark: out.mark(), dc });
		}
		await writeMcus(tail, run.end);
		const counts = zrlCounts(writers, ((run.to & 7) - out.bitPhase) & 7);
		// Nothing after the scan's last MCU to copy: it is padded as it ends.
		if (run.end === band.mcus || aligned(run.to) || !counts) return;
		// In its last few MCUs if they have room for the codes, else anywhere in it; else as it was.
		const attempts: Array<{ start: (typeof starts)[number]; counts?: number[] }> = [
			...starts.map((start) => ({ start, counts })),
			{ start: starts[starts.length - 1] },
		];
		for (const { start, counts: zrl } of attempts) {
			out.restore(start.mark);
			writers.forEach((w, i) => {
				w.previousDc = start.dc[i];
				w.padding = { zrl: zrl?.[i] ?? 0 };
			});
			await writeMcus(start.mcu, run.end);
			const placed = writers.every((w) => w.padding!.zrl === 0);
			writers.forEach((w) => (w.padding = undefined));
			if (placed && aligned(run.to)) return;
		}
	};
	let copied = band.dataStart * 8;
	for (const run of runs) {
		if (run.from < 0 || run.to < 0) return undefined;
		if (!(await copyScan(out, file, copied, run.from, slice))) return undefined;
		await writeRun(run);
		if (out.missingCode) return undefined;
		copied = run.to;
	}
	if (runs[runs.length - 1].end < band.mcus) {
		// At the bit offset they had, the last byte is copied with its padding; otherwise the
		// bits end where the last MCU ends, and are padded again.
		const end = out.bitPhase === (copied & 7) ? band.dataEnd * 8 : await band.finish();
		if (end < copied || !(await copyScan(out, file, copied, end, slice))) return undefined;
	}
	out.padToByte();
	out.writeBytes([0xff, 0xd9]);
	// A view: the writer's room past the end (64 KB or so) is not worth a copy of the file.
	return out.bytes.subarray(0, out.at);
}

/**
 * `patch` run on the photo's coefficients, then the file written as the header comment says:
 * `patch` gets the coefficients (of a band of MCU rows, or of the whole photo), the MCU-aligned
 * box around `area` in them, and the row of the photo their first row is. It may run twice (a
 * splice that falls through to the full rewrite), each time on coefficients read afresh.
 * `scanRows`, where the file's MCU rows start (the crop's read), spares decoding the rows above.
 */
export async function patchJpeg(
	file: Uint8Array,
	area: Box,
	maxPixels: number,
	patch: (jpeg: JpegCoefficients, region: Box, top: number) => Promise<void>,
	slice: TimeSlice,
	scanRows?: ScanRows,
	/** The band already read (readJpegBand, for this file and area), used instead of reading it. */
	ahead?: Awaited<ReturnType<typeof readJpegBand>>,
): Promise<Uint8Array> {
	const read = ahead ?? (await readJpegBand(file, area, maxPixels, slice, scanRows));
	if (read && 'band' in read) {
		const { band } = read;
		const region = mcuAlignedBox(band.jpeg, { ...area, top: area.top - band.top });
		await patch(band.jpeg, region, band.top);
		const out = await spliced(file, band, slice);
		if (out) return out;
	}
	// Read afresh: a band's patch is not in the whole photo's coefficients.
	const jpeg =
		read && 'whole' in read ? read.whole : await readJpegCoefficients(file, maxPixels, slice);
	await patch(jpeg, mcuAlignedBox(jpeg, area), 0);
	return await writeJpegCoefficients(jpeg, slice);
}
