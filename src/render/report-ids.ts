/**
 * The buttons of community reports, written and read in one place for both platforms. A pending
 * report's message carries Approve and Reject for every run it saved ("rok:12.13" on Discord, the
 * value "12.13" on Slack); the moderators' list carries Approve, Reject and Delete per report and
 * a pager ("rpage:pending.2").
 */
import type { ReportFilter } from '../store/store.js';

export type ReportVerb = 'approve' | 'reject' | 'delete';

const DISCORD_VERB = { approve: 'rok', reject: 'rno', delete: 'rdel' } as const;
const VERB_OF: Record<string, ReportVerb> = { rok: 'approve', rno: 'reject', rdel: 'delete' };
const FILTERS = new Set(['pending', 'approved', 'rejected', 'all']);

/** "12.13.14": the ids a button stands for (Discord's custom id holds 100 characters: 8 ids of 10 digits fit). */
export const encodeIds = (ids: readonly number[]): string => ids.join('.');
function decodeIds(arg: string | undefined): number[] | undefined {
  if (!arg || !/^\d{1,15}(?:\.\d{1,15}){0,24}$/.test(arg)) return undefined;
  return arg.split('.').map(Number);
}

/** `inList`: a button of the moderators' list ("lrok:12"), answered apart; else of the pending message, updated in place. */
export const discordReportId = (verb: ReportVerb, ids: readonly number[], inList = false): string =>
  `${inList ? 'l' : ''}${DISCORD_VERB[verb]}:${encodeIds(ids)}`;
export const discordReportPageId = (filter: ReportFilter, page: number): string => `rpage:${filter}.${page}`;

export type ReportButton =
  | { kind: 'review'; verb: ReportVerb; ids: number[]; inList: boolean }
  | { kind: 'page'; filter: ReportFilter; page: number };

/** A Discord custom id of a report button; undefined for any other (or a malformed one). */
export function decodeDiscordReportId(customId: string): ReportButton | undefined {
  const [head, arg] = customId.split(':') as [string, string | undefined];
  const inList = head.startsWith('l');
  const verb = VERB_OF[inList ? head.slice(1) : head];
  if (verb) {
    const ids = decodeIds(arg);
    return ids ? { kind: 'review', verb, ids, inList } : undefined;
  }
  if (head === 'rpage') return pageOf(arg);
  return undefined;
}

function pageOf(arg: string | undefined): ReportButton | undefined {
  const [filter, page] = (arg ?? '').split('.');
  return filter && FILTERS.has(filter) && /^\d{1,5}$/.test(page ?? '')
    ? { kind: 'page', filter: filter as ReportFilter, page: Math.max(1, Number(page)) }
    : undefined;
}

/** The Discord form /report opens without a paste, and its text inputs' custom ids. */
export const REPORT_MODAL_ID = 'report_form';
export const REPORT_FIELDS = ['paste', 'machine', 'model', 'quant'] as const;

/** Slack's action ids: unique in a message, so the list's carry the report's id after the verb. */
export const slackReportActionId = (verb: ReportVerb, id?: number): string =>
  `whichgpu_report_${verb}${id === undefined ? '' : `_${id}`}`;
export const slackReportPageId = (way: 'newer' | 'older'): string => `whichgpu_report_page_${way}`;
export const SLACK_REPORT_PAGE = /^whichgpu_report_page_(?:newer|older)$/;
/** Every review button of a report message or list. */
export const SLACK_REPORT_ACTION = /^whichgpu_report_(approve|reject|delete)(_\d+)?$/;
export const slackReportPageValue = (filter: ReportFilter, page: number): string => `${filter}.${page}`;

/** A Slack report button by its action id and value; undefined when it is not one. */
export function decodeSlackReportAction(actionId: string, value: string): ReportButton | undefined {
  if (SLACK_REPORT_PAGE.test(actionId)) return pageOf(value);
  const m = SLACK_REPORT_ACTION.exec(actionId);
  const ids = decodeIds(value);
  return m && ids ? { kind: 'review', verb: m[1] as ReportVerb, ids, inList: m[2] !== undefined } : undefined;
}
