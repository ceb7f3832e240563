import type { TimeSlice } from '../../../shared/pacing/timeSlice';
import { BitReader, BlockDecoder, type ScanComponent } from './jpegHuffman';

/**
 * One scan of a JPEG: its blocks visited in the order T.81 A.2 gives (one component: its blocks row
 * by row; several: MCU by MCU, each component's h × v blocks in turn), restart markers honoured,
 * the time slice looked at after each MCU (every 16 blocks in one-component scans).
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
	let mcu = 0;
	/** False when a marker other than the expected RSTn comes: the scan's data ends early. */
	const restartIfDue = (): boolean => {
		if (scan.restartInterval === 0 || mcu === 0 || mcu % scan.restartInterval !== 0) return true;
		if (!reader.restart()) return false;
		for (const component of components) component.previousDc = 0;
		blocks.endOfBandRun = 0;
		return true;
	};
	// MCU rows (blocks rows of a one-component scan) down to the last pixel row wanted.
	const mcuRows = Math.min(frame.mcusPerColumn, Math.floor(scan.lastRow / (8 * frame.maxV)) + 1);
	if (components.length === 1) {
		const c = components[0];
		const rows = Math.min(c.blocksPerColumn, mcuRows * c.v);
		for (let row = 0; row < rows; row++) {
			onRow?.(row, reader);
			for (let col = 0; col < c.blocksPerLine; col++, mcu++) {
				if (!restartIfDue()) return reader.end();
				blocks.decode(c, (row * c.blocksPerLineForMcu + col) * 64);
				if ((col & 15) === 15 && slice.over) await slice.next();
			}
			if (slice.over) await slice.next();
		}
		return rows < c.blocksPerColumn ? nextMarker(bytes, reader.end()) : reader.end();
	}
	for (let mcuRow = 0; mcuRow < mcuRows; mcuRow++) {
		onRow?.(mcuRow, reader);
		for (let mcuCol = 0; mcuCol < frame.mcusPerLine; mcuCol++, mcu++) {
			if (!restartIfDue()) return reader.end();
			for (const c of components) {
				for (let v = 0; v < c.v; v++) {
					const rowStart = (mcuRow * c.v + v) * c.blocksPerLineForMcu + mcuCol * c.h;
					for (let h = 0; h < c.h; h++) blocks.decode(c, (rowStart + h) * 64);
				}
			}
			// Each MCU, not each row of them: before the code is optimized, a row of a wide
			// picture takes far longer than a slice.
			if (slice.over) await slice.next();
		}
	}
	return mcuRows < frame.mcusPerColumn ? nextMarker(bytes, reader.end()) : reader.end();
}
