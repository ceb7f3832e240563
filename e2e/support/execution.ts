import type { RunResult } from './processes';

/** The parts of n8n's IRun the tests read (the same shape in 1.x and 2.x). */
export interface TaskData {
	executionStatus?: string;
	error?: { message?: string };
	data?: { main?: Array<Array<ExecutedItem> | null> };
	/** What the node asked n8n to show above its output (addExecutionHints). */
	hints?: Array<{ message: string; type?: string; location?: string }>;
}

export interface ExecutedItem {
	json: Record<string, unknown>;
	binary?: Record<
		string,
		{ data?: string; id?: string; mimeType?: string; fileName?: string; fileSize?: string }
	>;
}

export interface Execution {
	status?: string;
	finished?: boolean;
	data: {
		resultData: {
			runData: Record<string, TaskData[]>;
			error?: { message?: string; description?: string };
			lastNodeExecuted?: string;
		};
	};
}

/**
 * `n8n execute --rawOutput` prints the execution as indented JSON; 2.x prints it through its logger,
 * between log lines. The JSON is the block from a line that is just "{" to the last line that is
 * just "}" that parses.
 */
export function parseExecution(result: RunResult): Execution {
	const lines = result.stdout.split('\n');
	const starts = lines.flatMap((line, i) => (line.trimEnd() === '{' ? [i] : []));
	const ends = lines.flatMap((line, i) => (line.trimEnd() === '}' ? [i] : [])).reverse();
	for (const start of starts) {
		for (const end of ends) {
			if (end < start) break;
			try {
				const parsed = JSON.parse(lines.slice(start, end + 1).join('\n')) as Execution;
				if (parsed?.data?.resultData) return parsed;
			} catch {
				// not this block
			}
		}
	}
	throw new Error(
		`no execution JSON in the output of n8n execute (exit ${result.code}):\n${tail(result.stdout)}\n${tail(result.stderr)}`,
	);
}

const tail = (text: string) => text.split('\n').slice(-40).join('\n');

/** The items a node output on its first run (main output 0), or throws naming what is missing. */
export function nodeOutput(execution: Execution, nodeName: string, output = 0): ExecutedItem[] {
	const runs = execution.data.resultData.runData[nodeName];
	if (!runs?.length) {
		const ran = Object.keys(execution.data.resultData.runData).join(', ');
		const error = execution.data.resultData.error?.message;
		throw new Error(
			`node "${nodeName}" did not run (ran: ${ran})${error ? `; workflow error: ${error}` : ''}`,
		);
	}
	const run = runs[0];
	if (run.error) throw new Error(`node "${nodeName}" failed: ${run.error.message}`);
	return run.data?.main?.[output] ?? [];
}
