import type { TimeSlice } from '../../../shared/pacing/timeSlice';
import type { Box } from '../raster';
import { readJpegCoefficients } from './jpegDecode';
import { BitReader, BlockDecoder, type HuffmanTable } from './jpegHuffman';
import type { JpegCoefficients } from './jpegRegion';
import {
	decodeScan,
	hashOf,
	spliceable,
	type FrameComponent,
	type FrameLayout,
	type ScanPoint,
	type ScanReader,
	type ScanRows,
} from './jpegScan';

/**
 * The stitch's read of a JPEG photo (jpegSplice.ts writes it back): of a sequential file whose one
 * scan holds every component, with no restart markers, only the band of MCU rows a patch needs
 * keeps its coefficients; for the MCUs the patch will write again (`runs`), where their bits
 * start and end in the file and the DC predictors at their start are noted while the scan is
 * decoded, so that every other MCU's bits can be copied as they are. Decoding stops after the
 * band; `finish` reads on to the scan's last bit when the writer needs to know where it is.
 * Decoding starts at the band's first row where the crop noted where it starts (ScanRows), and a
 * band row whose next row's start it noted is decoded only to its last run's end (the MCUs after it
 * keep 0s: only the runs' coefficients are ever read, the splice copies the other MCUs' bits).
 * Anything else (progressive, restart markers, several scans, a gray file with sampling factors
 * other than 1): undefined, and the caller rewrites the whole file.
 *
 * Memory: the band's coefficients (2 bytes a sample) and one block for the rows outside it; the
 * frame's full-size arrays are never allocated (jpegScan.ts allocates them, and is not called).
 */

/** MCUs (in scan order) written again: from `first` to before `end`. */
export interface SpliceRun {
	first: number;
	end: number;
	/** File bit positions (jpegHuffman.ts `BitReader.position`) where MCU `first` and MCU `end` start. */
	from: number;
	to: number;
	/** Each component's DC predictor before MCU `first`: the DC of its last block before it. */
	dc: number[];
}

export interface JpegBand {
	/** The band of MCU rows as a picture of its own: the photo's width, `top` its first row. */
	jpeg: JpegCoefficients;
	top: number;
	firstRow: number;
	runs: SpliceRun[];
	/** MCUs in the scan. */
	mcus: number;
	/** Where the scan's entropy-coded data starts, and the marker after it. */
	dataStart: number;
	dataEnd: number;
	/** The tables of the scan, per component. */
	tables: Array<{ dc: HuffmanTable; ac: HuffmanTable }>;
	/** Decodes the rest of the scan; resolves to the bit where its last MCU ends (-1 if damaged). */
	finish: () => Promise<number>;
}

/** The runs for a box of MCUs, merged where they meet: each ends one MCU past the box's row. */
function runsFor(frame: FrameLayout, mcus: { c0: number; c1: number; r0: number; r1: number }) {
	const across = frame.mcusPerLine;
	const total = across * frame.mcusPerColumn;
	const runs: Array<{ first: number; end: number }> = [];
	for (let row = mcus.r0; row <= mcus.r1; row++) {
		const first = row * across + mcus.c0;
		// One untouched MCU after the patch is written again too: its DC, coded as the change from
		// the MCU before, is right again after it, and the bits after it are the original's.
		const end = Math.min(row * across + mcus.c1 + 1, total);
		const last = runs[runs.length - 1];
		if (last && first <= last.end) last.end = end;
		else runs.push({ first, end });
	}
	return runs;
}

/** Where MCU row `row` starts by `rows`, if they are of this file's scan at `at` and note it. */
function startOf(
	rows: ScanRows | undefined,
	bytes: Uint8Array,
	at: number,
	row: number,
	n: number,
) {
	if (!rows || row === 0 || rows.fileLength !== bytes.length || rows.dataStart !== at) return;
	const start = noted(rows, at, row, n);
	if (!start || hashOf(bytes.subarray(0, at)) !== rows.header) return;
	return start;
}

/** Where MCU row `row` starts by `rows` (already found to be of this file's scan at `at`). */
function noted(rows: ScanRows, at: number, row: number, n: number): ScanPoint | undefined {
	const bit = rows.bits[row];
	const dc = rows.dc.slice(row * n, row * n + n);
	const valid = Number.isInteger(bit) && bit >= at * 8 && bit < rows.fileLength * 8;
	if (!valid || dc.length !== n || !dc.every(Number.isInteger)) return;
	return { bit, dc };
}

/** Reads the one scan of a spliceable file as the class comment says. */
class BandScanReader {
	band: Omit<JpegBand, 'jpeg' | 'top'> | undefined;
	/** The band's coefficients, per component; its MCU rows. */
	coefficients: Int16Array[] = [];
	rows = 0;
	/** A scan came after the band's: the coefficients are not the file's. */
	spoiled = false;
	private scans = 0;

	constructor(
		private readonly area: Box,
		private readonly scanRows?: ScanRows,
	) {}

	readonly readScan: ScanReader = async (bytes, at, frame, scan, slice) => {
		const { components } = frame;
		this.spoiled = this.band !== undefined;
		if (++this.scans > 1 || !spliceable(frame, scan)) {
			// Read whole, as readJpegCoefficients would: the caller writes it all again.
			return await decodeScan(bytes, at, frame, scan, slice);
		}
		const [mcuWidth, mcuHeight] = [8 * frame.maxH, 8 * frame.maxV];
		const { left, top, width, height } = this.area;
		const mcus = {
			c0: Math.floor(left / mcuWidth),
			c1: Math.ceil((left + width) / mcuWidth),
			r0: Math.floor(top / mcuHeight),
			r1: Math.ceil((top + height) / mcuHeight) - 1,
		};
		const runs = runsFor(frame, mcus);
		const across = frame.mcusPerLine;
		const firstRow = mcus.r0;
		const endRow = Math.floor((runs[runs.length - 1].end - 1) / across) + 1;
		this.rows = endRow - firstRow;
		const start = startOf(this.scanRows, bytes, at, firstRow, components.length);
		// Where the crop noted the rows, a band row is decoded only as far as its runs reach.
		const rows = start && this.scanRows;
		const skipTo = rows ? (row: number) => noted(rows, at, row, components.length) : undefined;
		const decoder = new RowDecoder(bytes, at, components, runs, firstRow, this.rows, start, skipTo);
		this.coefficients = decoder.band;
		await decoder.rows(start ? firstRow : 0, endRow, across, slice);
		const dataEnd = markerAfter(bytes, decoder.reader.at);
		this.band = {
			firstRow,
			runs: decoder.runs,
			mcus: across * frame.mcusPerColumn,
			dataStart: at,
			dataEnd,
			tables: components.map((c) => ({ dc: c.dcTable!, ac: c.acTable! })),
			finish: async () => {
				await decoder.rows(endRow, frame.mcusPerColumn, across, slice);
				return decoder.reader.position();
			},
		};
		return dataEnd;
	};
}

/** Where the next marker (not a stuffed FF 00) is from `at`; the file's end if none. */
function markerAfter(bytes: Uint8Array, at: number): number {
	let marker = bytes.indexOf(0xff, at);
	while (marker >= 0 && bytes[marker + 1] === 0) marker = bytes.indexOf(0xff, marker + 2);
	return marker < 0 ? bytes.length : marker;
}

/** An MCU row being decoded: its place in the band (-1: outside), where the next one starts if known. */
type BandRow = { mcuRow: number; inBand: number; across: number; next?: ScanPoint };

/** Decodes MCU rows: the band's into its arrays, the others into one block, noting the runs. */
class RowDecoder {
	reader!: BitReader;
	private blocks!: BlockDecoder;
	readonly band: Int16Array[];
	/** Where the blocks of rows outside the band go, one over the other: they are never read. */
	private readonly scratch = new Int16Array(64);
	readonly runs: SpliceRun[];
	/** Run boundaries in scan order (first, end, first, end...), and the next one to note. */
	private readonly events: number[];
	private next = 0;

	constructor(
		private readonly bytes: Uint8Array,
		at: number,
		private readonly components: FrameComponent[],
		runs: Array<{ first: number; end: number }>,
		private readonly firstRow: number,
		private readonly bandRows: number,
		/** Where the band's first row starts, and the DC predictors there: decoding starts there. */
		start?: ScanPoint,
		/** Where a later MCU row starts and its DC predictors, when known: the rest of a row is skipped. */
		private readonly skipTo?: (row: number) => ScanPoint | undefined,
	) {
		this.band = components.map((c) => new Int16Array(bandRows * c.v * c.blocksPerLineForMcu * 64));
		this.runs = runs.map((run) => ({ ...run, from: -1, to: -1, dc: [] }));
		this.events = runs.flatMap((run) => [run.first, run.end]);
		this.jump(start ?? { bit: at * 8, dc: components.map(() => 0) });
	}

	/** Decoding goes on from bit `bit` of the file, with these DC predictors. */
	private jump({ bit, dc }: ScanPoint): void {
		this.reader = new BitReader(this.bytes, bit >> 3);
		this.reader.receive(bit & 7);
		this.blocks = new BlockDecoder(this.reader, 'sequential', 0, 63, 0);
		this.components.forEach((c, i) => (c.previousDc = dc[i]));
	}

	/** Notes a run's start or end when MCU `mcu` is the next to decode. */
	private note(mcu: number): void {
		if (this.events[this.next] !== mcu) return;
		const run = this.runs[this.next >> 1];
		if ((this.next & 1) === 0) {
			run.from = this.reader.position();
			run.dc = this.components.map((c) => c.previousDc);
		} else run.to = this.reader.position();
		this.next++;
	}

	async rows(from: number, to: number, across: number, slice: TimeSlice): Promise<void> {
		for (let mcuRow = from; mcuRow < to; mcuRow++) {
			const inBand = mcuRow - this.firstRow;
			const rowIn = inBand >= 0 && inBand < this.bandRows;
			this.components.forEach((c, i) => (c.coefficients = rowIn ? this.band[i] : this.scratch));
			// Past the row's last run boundary, its MCUs are not needed when the next row's start is
			// known: their coefficients are never read (the splice copies their bits).
			const next = rowIn ? this.skipTo?.(mcuRow + 1) : undefined;
			const row: BandRow = { mcuRow, inBand: rowIn ? inBand : -1, across, next };
			let col = 0;
			while (col < across) {
				col = this.rowFrom(row, col, slice);
				await slice.tick();
			}
		}
		this.note(to * across);
	}

	/**
	 * MCUs of a row from `col` until the row ends, its rest is skipped (`next`), or the slice is
	 * over (looked at every 16 MCUs); the next column. A plain method: V8 optimises its loop far
	 * better than inside the async `rows`.
	 */
	private rowFrom(row: BandRow, col: number, slice: TimeSlice): number {
		const { components, blocks } = this;
		const { mcuRow, across, next } = row;
		// Outside the band only the bits count: every block goes to the same 64 values.
		const [bandRow, stride] = row.inBand >= 0 ? [row.inBand, 64] : [0, 0];
		const rowEnd = (mcuRow + 1) * across;
		for (; col < across; col++) {
			this.note(mcuRow * across + col);
			if (next && !(this.events[this.next] < rowEnd)) {
				this.jump(next);
				return across;
			}
			for (const c of components) {
				for (let v = 0; v < c.v; v++) {
					const rowStart = (bandRow * c.v + v) * c.blocksPerLineForMcu + col * c.h;
					for (let h = 0; h < c.h; h++) blocks.decode(c, (rowStart + h) * stride);
				}
			}
			if ((col & 15) === 15 && slice.over) return col + 1;
		}
		return col;
	}
}

/**
 * The band of `file` that `area` (photo pixels) needs, read as the header comment says; or, for a
 * file that cannot be spliced, its whole coefficients as readJpegCoefficients reads them (`whole`);
 * undefined when neither (a sequential file with a scan after the one read in a band: read again).
 * With `scanRows` of this file (the crop's, ScanRows), decoding starts at the band's first row.
 */
export async function readJpegBand(
	file: Uint8Array,
	area: Box,
	maxPixels: number,
	slice: TimeSlice,
	scanRows?: ScanRows,
): Promise<{ band: JpegBand } | { whole: JpegCoefficients } | undefined> {
	const reader = new BandScanReader(area, scanRows);
	const whole = await readJpegCoefficients(file, maxPixels, slice, undefined, reader.readScan);
	const band = reader.band;
	if (!band) return { whole };
	if (reader.spoiled) return undefined;
	const bandRows = reader.rows;
	const mcuHeight = 8 * whole.maxV;
	const top = band.firstRow * mcuHeight;
	const height = Math.min(whole.height - top, bandRows * mcuHeight);
	const jpeg: JpegCoefficients = {
		...whole,
		height,
		mcusPerColumn: bandRows,
		components: whole.components.map((c, i) => ({
			...c,
			blocksPerColumn: Math.ceil(Math.ceil((height * c.v) / whole.maxV) / 8),
			blocksPerColumnForMcu: bandRows * c.v,
			coefficients: reader.coefficients[i],
		})),
	};
	return { band: { ...band, top, jpeg } };
}
