/** What a baseline run reports, item by item, in the same terms as our node's run. */
export interface BaselineItem {
	index: number;
	/** ModelsLab's id of the job this item ended with (undefined when it never got one). */
	jobId?: number;
	/** Final status the workflow saw: 'success', 'failed', or 'error' when the item failed. */
	status: string;
	/** Date.now() when the workflow had the item's result in hand. */
	returnedAt?: number;
}

export interface BaselineRun {
	items: BaselineItem[];
	/** The error the workflow stopped with, if it did. */
	error?: string;
	startedAt: number;
	endedAt: number;
}

/** Path of a job's fetch route on the community endpoint, as a DIY workflow would build it. */
export const fetchPathOf = (id: unknown) => `/api/v6/images/fetch/${String(id)}`;
