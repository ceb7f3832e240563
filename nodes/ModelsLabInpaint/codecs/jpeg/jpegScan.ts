import type { TimeSlice } from '../../../shared/pacing/timeSlice';
import { BitReader, BlockDecoder, type HuffmanTable, type ScanComponent } from './jpegHuffman';

/**
 * One scan of a JPEG: its blocks visited in the order T.81 A.2 gives (one component: its blocks row
 * by row; several: MCU by MCU, each component's h × v blocks in turn), restart markers honoured,
 * the time slice looked at after each MCU (every 16 blocks in one-component scans). And the crop's
 * notes of where each MCU row of a scan starts (ScanRows), which the stitch's read (jpegBand.ts)
 * starts from.
 */

/** A frame component as the scans and the IDCT see it. */
export interface FrameComponent extends ScanComponent {
	id: number;
	h: number;
	v: number;
	quantizationId: number;
	/** Blocks that hold the component's samples (T.81 A.1.1), across and down. */
	blocksPerLine: number;
	blocksPerColumn: number;
	/** The same, padded to whole MCUs: the size of `coefficients` in blocks. */
	blocksPerLineForMcu: number;
	blocksPerColumnForMcu: number;
}

export interface FrameLayout {
	width: number;
	height: number;
	progressive: boolean;
	components: FrameComponent[];
	maxH: number;
	maxV: number;
	mcusPerLine: number;
	mcusPerColumn: number;
}

export interface ScanSettings {
	components: FrameComponent[];
	kind: BlockDecoder['kind'];
	spectralStart: number;
	spectralEnd: number;
	shift: number;
	restartInterval: number;
	/** The last pixel row wanted (Infinity: all): the scan stops after the MCU row holding it. */
	lastRow: number;
}

/**
 * Where the marker after a scan's data starts, from `at` inside the data: the first 0xFF that is
 * not a stuffed data byte (FF 00) nor a restart marker. The end of the file when none is left.
 */
function nextMarker(bytes: Uint8Array, at: number): number {
	for (let i = bytes.indexOf(0xff, at); i >= 0; i = bytes.indexOf(0xff, i + 1)) {
		const next = bytes[i + 1];
		if (next !== 0 && (next < 0xd0 || next > 0xd7)) return next === undefined ? bytes.length : i;
	}
	return bytes.length;
}

/**
 * Decodes the scan whose data starts at `at`; resolves to where the data after it starts. `onRow`
 * is told when each MCU row (block row of a one-component scan) is about to be decoded.
 */
/** How a scan is read: decodeScan, or a reader of its own around it (the stitch's, jpegBand.ts). */
export type ScanReader = (
	bytes: Uint8Array,
	at: number,
	frame: FrameLayout,
	scan: ScanSettings,
	slice: TimeSlice,
) => Promise<number>;

export async function decodeScan(
	bytes: Uint8Array,
	at: number,
	frame: FrameLayout,
	scan: ScanSettings,
	slice: TimeSlice,
	onRow?: (row: number, reader: BitReader) => void,
	marks?: McuMarks,
): Promise<number> {
	const reader = new BitReader(bytes, at);
	const blocks = new BlockDecoder(
		reader,
		scan.kind,
		scan.spectralStart,
		scan.spectralEnd,
		scan.shift,
	);
	const components = scan.components;
	for (const c of components) {
		c.previousDc = 0;
		// Here rather than with the frame: a reader that takes only some rows never allocates them.
		if (c.coefficients.length === 0) {
			c.coefficients = new Int16Array(c.blocksPerLineForMcu * c.blocksPerColumnForMcu * 64);
		}
	}
	const mcus = new McuDecoder(reader, blocks, frame, scan, marks);
	// MCU rows (blocks rows of a one-component scan) down to the last pixel row wanted.
	const mcuRows = Math.min(frame.mcusPerColumn, Math.floor(scan.lastRow / (8 * frame.maxV)) + 1);
	const single = components.length === 1;
	const rows = single
		? Math.min(components[0].blocksPerColumn, mcuRows * components[0].v)
		: mcuRows;
	const across = single ? components[0].blocksPerLine : frame.mcusPerLine;
	const decodeRow = single ? mcus.blockRow : mcus.mcuRow;
	for (let row = 0; row < rows; row++) {
		onRow?.(row, reader);
		for (let col = 0; col < across; ) {
			col = decodeRow(row, col, slice);
			if (col < 0) return reader.end();
			if (slice.over) await slice.next();
		}
	}
	mcus.noteMark(rows * across); // where the row after the last decoded starts
	const whole = single ? rows === components[0].blocksPerColumn : rows === frame.mcusPerColumn;
	return whole ? reader.end() : nextMarker(bytes, reader.end());
}

/** Where an MCU starts in the file (a bit, BitReader.position) and each component's DC predictor there. */
export interface ScanPoint {
	bit: number;
	dc: number[];
}

/**
 * MCUs (indices in scan order, ascending; in a one-component scan, blocks) at which `note` is told,
 * before the MCU is decoded, where the reader is. The index after a last row decoded counts too.
 */
export interface McuMarks {
	mcus: number[];
	note: (mcu: number, reader: BitReader) => void;
}

/**
 * The blocks of one scan row after row, as plain methods: V8 optimises their loops far better than
 * inside decodeScan's async body. Each decodes a row from a column until the row ends or the time
 * slice is over (looked at after each MCU, every 16 blocks in a one-component scan: before the code
 * is optimized, a row of a wide picture takes far longer than a slice).
 */
class McuDecoder {
	/** MCUs (blocks of a one-component scan) decoded so far: when restart markers are due. */
	private mcu = 0;
	private readonly components: FrameComponent[];
	/** The next of `marks.mcus` to note. */
	private nextMark = 0;

	constructor(
		private readonly reader: BitReader,
		private readonly blocks: BlockDecoder,
		private readonly frame: FrameLayout,
		private readonly scan: ScanSettings,
		private readonly marks?: McuMarks,
	) {
		this.components = scan.components;
	}

	/** Tells `marks` where MCU `index` starts, if it is the next one asked for. */
	noteMark(index: number): void {
		const marks = this.marks;
		if (marks === undefined || marks.mcus[this.nextMark] !== index) return;
		marks.note(index, this.reader);
		this.nextMark++;
	}

	/** False when a marker other than the expected RSTn comes: the scan's data ends early. */
	private restartIfDue(): boolean {
		const interval = this.scan.restartInterval;
		if (interval === 0 || this.mcu === 0 || this.mcu % interval !== 0) return true;
		if (!this.reader.restart()) return false;
		for (const component of this.components) component.previousDc = 0;
		this.blocks.endOfBandRun = 0;
		return true;
	}

	/** Blocks of a one-component scan's block row `row` from `col`; the next column, -1 at an early end. */
	readonly blockRow = (row: number, col: number, slice: TimeSlice): number => {
		const c = this.components[0];
		for (; col < c.blocksPerLine; col++, this.mcu++) {
			if (!this.restartIfDue()) return -1;
			this.noteMark(row * c.blocksPerLine + col);
			this.blocks.decode(c, (row * c.blocksPerLineForMcu + col) * 64);
			if ((col & 15) === 15 && slice.over) return col + 1;
		}
		return col;
	};

	/** MCUs of MCU row `mcuRow` from `col`, each component's h × v blocks in turn; as blockRow. */
	readonly mcuRow = (mcuRow: number, col: number, slice: TimeSlice): number => {
		const { components, blocks } = this;
		const across = this.frame.mcusPerLine;
		for (; col < across; col++, this.mcu++) {
			if (!this.restartIfDue()) return -1;
			this.noteMark(mcuRow * across + col);
			for (const c of components) {
				for (let v = 0; v < c.v; v++) {
					const rowStart = (mcuRow * c.v + v) * c.blocksPerLineForMcu + col * c.h;
					for (let h = 0; h < c.h; h++) blocks.decode(c, (rowStart + h) * 64);
				}
			}
			if (slice.over) return col + 1;
		}
		return col;
	};
}

/**
 * Where each MCU row of a spliceable scan starts, noted by the crop's read (which decodes the rows
 * down to its box's bottom anyway), so that the stitch's read starts at the band's first row rather
 * than at the scan's start. A few numbers a row; checked against the file before use (`startOf`).
 */
export interface ScanRows {
	/** The file the rows are of: its length, where its scan's data starts, a hash of what is before. */
	fileLength: number;
	dataStart: number;
	header: number;
	/** Per MCU row from the first: the bit where it starts (BitReader.position; -1: unknown). */
	bits: number[];
	/** Each component's DC predictor there, row after row. */
	dc: number[];
}

/** FNV-1a of `bytes`. */
export function hashOf(bytes: Uint8Array): number {
	let hash = 0x811c9dc5;
	for (let i = 0; i < bytes.length; i++) hash = Math.imul(hash ^ bytes[i], 0x01000193);
	return hash >>> 0;
}

/** Whether a scan is one the band reads row by row (the others are read whole). */
export function spliceable(frame: FrameLayout, scan: ScanSettings): boolean {
	const { components } = frame;
	return (
		!frame.progressive &&
		scan.restartInterval === 0 &&
		// The scan's components in the frame's order: the writer takes the frame's.
		scan.components.length === components.length &&
		scan.components.every((c, i) => c === components[i]) &&
		(components.length > 1 || (components[0].h === 1 && components[0].v === 1))
	);
}

/**
 * Where the MCUs a crop asked for start (`watch`), with the scan's tables and where its data starts:
 * what writing the crop from the file's own bits needs (jpegCrop.ts).
 */
export interface ScanMarks {
	dataStart: number;
	tables: Array<{ dc: HuffmanTable; ac: HuffmanTable }>;
	points: Map<number, ScanPoint>;
}

/**
 * A `readScan` for readJpegCoefficients that notes the rows (`rows`) of a file of one spliceable
 * scan, and where the MCUs asked for by `watch` start (`marks`).
 */
export class ScanRowsRecorder {
	private noted: ScanRows | undefined;
	private scans = 0;
	private watched: number[] = [];
	private marked: ScanMarks | undefined;

	/** Asks for where these MCUs (ascending scan-order indices) start; before the scan is read. */
	watch(mcus: number[]): void {
		this.watched = mcus;
	}

	readonly readScan: ScanReader = async (bytes, at, frame, scan, slice) => {
		if (++this.scans > 1 || !spliceable(frame, scan)) {
			this.noted = this.marked = undefined;
			return await decodeScan(bytes, at, frame, scan, slice);
		}
		const header = hashOf(bytes.subarray(0, at));
		const rows: ScanRows = { fileLength: bytes.length, dataStart: at, header, bits: [], dc: [] };
		this.noted = rows;
		const { components } = scan;
		const tables = components.map((c) => ({ dc: c.dcTable!, ac: c.acTable! }));
		const marked: ScanMarks = { dataStart: at, tables, points: new Map() };
		this.marked = marked;
		const note = (mcu: number, reader: BitReader) => {
			marked.points.set(mcu, { bit: reader.position(), dc: components.map((c) => c.previousDc) });
		};
		const onRow = (row: number, reader: BitReader) => {
			rows.bits[row] = reader.position();
			for (const c of components) rows.dc.push(c.previousDc);
		};
		return await decodeScan(bytes, at, frame, scan, slice, onRow, { mcus: this.watched, note });
	};

	get rows(): ScanRows | undefined {
		return this.noted;
	}

	get marks(): ScanMarks | undefined {
		return this.marked;
	}
}
