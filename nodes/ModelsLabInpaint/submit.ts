import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import type { CompletionSettings } from '../shared/run/completion';
import { asNodeError, createdNothing, detailsOf, failureOf } from '../shared/transport/failures';
import type { JobSlot } from '../shared/pacing/jobSlots';
import { deadlineAfter, pause } from '../shared/pacing/pause';
import { withRetries } from '../shared/pacing/retry';
import { modelsLabRequest } from '../shared/transport/transport';
import type { ApiHost } from '../shared/transport/endpoints';

/** Where a paid job is sent, and what it is called while waiting for ModelsLab to take it. */
export interface SubmitTarget {
	host: ApiHost;
	path: string;
	/** e.g. "the job", "the mask job". */
	what: string;
}

/**
 * Sends the job once. It is sent again only when it certainly created nothing: ModelsLab refused it
 * (rate limit, full queue; after the wait it asks for), or it never left this machine (connection
 * refused, host not found: often a server restarting, so after pauses doubling from 2 s). A job
 * whose answer was lost may exist, and is never re-sent. Every pause counts against Max Wait.
 */
export async function submit(
	ctx: IExecuteFunctions,
	target: SubmitTarget,
	body: IDataObject,
	itemIndex: number,
	settings: Pick<CompletionSettings, 'maxWaitMs' | 'requestTimeoutMs'>,
	slot: JobSlot,
) {
	const request = {
		host: target.host,
		path: target.path,
		body,
		timeoutMs: settings.requestTimeoutMs,
	};
	const waitingFor = `ModelsLab to accept ${target.what}`;
	// The same Max Wait as the retries' own (which starts at the first attempt, a moment later).
	const deadline = deadlineAfter(settings.maxWaitMs);
	try {
		const answer = await withRetries(
			ctx,
			waitingFor,
			async () => {
				await slot.readyToSend(async (ms) => await pause(ctx, ms, waitingFor, itemIndex), deadline);
				return await modelsLabRequest(ctx, request, itemIndex);
			},
			{
				itemIndex,
				maxWaitMs: settings.maxWaitMs,
				retryable: createdNothing,
				firstBackoffMs: 2000,
				refusalsUntilDeadline: true,
				slot,
			},
		);
		slot.accepted(etaMsOf(answer.body));
		return answer;
	} catch (error) {
		if (error instanceof NodeApiError) error.description = submitOutcome(error);
		throw asNodeError(ctx, error, itemIndex);
	}
}

/** When a queued job is due, from the submit's answer; undefined when it did not say. */
function etaMsOf(body: IDataObject): number | undefined {
	const eta = typeof body.eta === 'string' ? Number(body.eta) : body.eta;
	return typeof eta === 'number' && Number.isFinite(eta) && eta >= 0 ? eta * 1000 : undefined;
}

/** The failed submit's description, ending with what became of the job and whether to run it again. */
function submitOutcome(error: NodeApiError): NodeApiError['description'] {
	const said = error.description ?? '';
	const failure = failureOf(error);
	if (failure?.kind === 'not-sent') {
		return `${said} No job was created, so running this item again is safe.`.trim();
	}
	const waitTooLong = detailsOf(error).waitTooLongSeconds;
	if (waitTooLong !== undefined) {
		return `${said} ModelsLab asked to wait ${waitTooLong} s before sending the job again, longer than Max Wait allows; the job was not created.`.trim();
	}
	if (failure?.kind === 'rate-limited') {
		const why = failure.queueFull ? "your plan's job queue stayed full" : 'its rate limit';
		return `${said} ModelsLab refused the job until Max Wait ran out (${why}); the job was not created, so running this item again is safe.`.trim();
	}
	if (failure?.kind === 'answer-lost') {
		return `${said} ModelsLab may have created this job (and billed it) even though its answer was lost, so it was not sent again. Check your ModelsLab dashboard before running this item again.`.trim();
	}
	return error.description;
}

/**
 * Written the moment ModelsLab accepts (and bills) a job, before anything else can go wrong: if the
 * n8n process dies while waiting (a queue-mode worker killed or out of memory), the execution keeps
 * nothing, and this line in the process's log is how the user finds the job to fetch it. Every fact
 * is in the message itself, since n8n's text log format prints only the message.
 */
export function logAcceptedJob(ctx: IExecuteFunctions, requestId: string, itemIndex: number) {
	const node = ctx.getNode().name;
	ctx.logger.info(
		`ModelsLab accepted job ${requestId} (billed): execution ${ctx.getExecutionId()}, workflow ${ctx.getWorkflow().id}, node "${node}", item ${itemIndex}`,
	);
}
