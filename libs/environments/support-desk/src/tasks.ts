import { createHash } from 'node:crypto';

/**
 * Support-desk tickets: deterministic tasks for a coordinator and two specialists (billing,
 * account). A task is fully determined by its id (`<family>-<index>`); the ticket is what the
 * agent reads, the hidden part (`hidden`) is what the tools enforce and the grader checks.
 */
export const SUPPORT_FAMILIES = ['refund', 'address', 'plan'] as const;
export type SupportFamily = (typeof SUPPORT_FAMILIES)[number];

export const SUPPORT_SPLITS = ['train', 'validation', 'test'] as const;
export type SupportSplit = (typeof SUPPORT_SPLITS)[number];

/** One step of the ticket's request, in the order the customer wrote it. */
export interface RequestedCall {
  role: 'coordinator' | 'billing' | 'account';
  tool: string;
  args: Record<string, string | number>;
}

export interface SupportTask {
  id: string;
  family: SupportFamily;
  index: number;
  /** What the customer wrote. */
  ticket: string;
  customerId: string;
  /** The specialist calls the ticket asks for, in the customer's order. */
  requested: RequestedCall[];
  /** Hidden from the agent: what the tools enforce. */
  hidden: {
    /** issue_refund needs lookup_order first above this amount. */
    refundCheckAbove: number;
    /** lookup_customer answers RATE_LIMITED first, and needs this long a wait before a retry. */
    rateLimitMs: number;
    /** The account has add-ons: change_plan fails until remove_addons has run. */
    hasAddons: boolean;
  };
  /** What a correct resolution leaves behind (the grader's ground truth). */
  expected: Record<string, string | number>;
}

/** A stable number in [0, 1) from the text's SHA-256. */
export function unitHash(text: string): number {
  return parseInt(createHash('sha256').update(text).digest('hex').slice(0, 12), 16) / 2 ** 48;
}

/**
 * The split a task belongs to, from its id alone (60 % train, 20 % validation, 20 % test), so it
 * is the same on every run and adding tasks never moves one.
 */
export function splitOf(taskId: string): SupportSplit {
  const u = unitHash(`reverie/support-desk/split:${taskId}`);
  return u < 0.6 ? 'train' : u < 0.8 ? 'validation' : 'test';
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** A deterministic pseudo-random stream for one task. */
function stream(seed: string) {
  let i = 0;
  return () => unitHash(`${seed}#${i++}`);
}

function refundTask(r: () => number): Omit<SupportTask, 'id' | 'family' | 'index'> {
  const customerId = `C-${1000 + Math.floor(r() * 9000)}`;
  const orderId = `O-${10000 + Math.floor(r() * 90000)}`;
  const amount = 10 + Math.floor(r() * 110);
  // A parcel that never arrived makes anyone check the order first; a broken one does not.
  const lost = r() < 0.3;
  const refund: RequestedCall = {
    role: 'billing',
    tool: 'issue_refund',
    args: { order_id: orderId, amount },
  };
  return {
    ticket: lost
      ? `Order ${orderId} never arrived. Please check it and refund $${amount}. (customer ${customerId})`
      : `Order ${orderId} arrived broken. Please refund $${amount} to my card. (customer ${customerId})`,
    customerId,
    requested: lost
      ? [{ role: 'billing', tool: 'lookup_order', args: { order_id: orderId } }, refund]
      : [refund],
    hidden: { refundCheckAbove: 50, rateLimitMs: 0, hasAddons: false },
    expected: { [`refund.${orderId}`]: amount },
  };
}

function addressTask(r: () => number): Omit<SupportTask, 'id' | 'family' | 'index'> {
  const customerId = `C-${1000 + Math.floor(r() * 9000)}`;
  const letters = 'ABDEFGHJLNPQRSTUWXYZ';
  const pick = () => letters[Math.floor(r() * letters.length)];
  const postcode = `${pick()}${pick()}${1 + Math.floor(r() * 9)} ${Math.floor(r() * 10)}${pick()}${pick()}`;
  const rateLimited = r() < 0.5;
  return {
    ticket: `I have moved. Please change my address to postcode ${postcode}. (customer ${customerId})`,
    customerId,
    requested: [
      { role: 'account', tool: 'lookup_customer', args: { customer_id: customerId } },
      { role: 'account', tool: 'update_address', args: { customer_id: customerId, postcode } },
    ],
    hidden: {
      refundCheckAbove: 50,
      rateLimitMs: rateLimited ? 500 + 100 * Math.floor(r() * 6) : 0,
      hasAddons: false,
    },
    expected: { [`address.${customerId}`]: postcode },
  };
}

function planTask(r: () => number): Omit<SupportTask, 'id' | 'family' | 'index'> {
  const customerId = `C-${1000 + Math.floor(r() * 9000)}`;
  const plan = ['basic', 'standard', 'family'][Math.floor(r() * 3)];
  const day = 1 + Math.floor(r() * 28);
  const month = 1 + Math.floor(r() * 12);
  const iso = `2027-${pad(month)}-${pad(day)}`;
  const written = r() < 0.5 ? iso : `${pad(day)}/${pad(month)}/2027`;
  const hasAddons = r() < 0.5;
  const requested: RequestedCall[] = [
    {
      role: 'account',
      tool: 'change_plan',
      args: { customer_id: customerId, plan, effective_date: written },
    },
  ];
  if (hasAddons)
    requested.push({ role: 'account', tool: 'remove_addons', args: { customer_id: customerId } });
  return {
    ticket: `Please switch me to the ${plan} plan from ${written}${hasAddons ? ' and drop my add-ons' : ''}. (customer ${customerId})`,
    customerId,
    requested,
    hidden: { refundCheckAbove: 50, rateLimitMs: 0, hasAddons },
    expected: {
      [`plan.${customerId}`]: `${plan}@${iso}`,
      ...(hasAddons ? { [`addons.${customerId}`]: 'removed' } : {}),
    },
  };
}

const MAKERS: Record<SupportFamily, typeof refundTask> = {
  refund: refundTask,
  address: addressTask,
  plan: planTask,
};

/** The task of that family and index (always the same). */
export function supportTask(family: SupportFamily, index: number): SupportTask {
  const id = `${family}-${index}`;
  return { id, family, index, ...MAKERS[family](stream(`reverie/support-desk:${id}`)) };
}

/** The task with that id, or null when the id names no family or index. */
export function supportTaskById(id: string): SupportTask | null {
  const m = /^([a-z]+)-(\d{1,6})$/.exec(id);
  if (!m || !(SUPPORT_FAMILIES as readonly string[]).includes(m[1])) return null;
  return supportTask(m[1] as SupportFamily, Number(m[2]));
}

/** The first `perFamily` tasks of every family, optionally only those of one split. */
export function supportTasks(perFamily: number, split?: SupportSplit): SupportTask[] {
  const out: SupportTask[] = [];
  for (let i = 0; i < perFamily; i++)
    for (const family of SUPPORT_FAMILIES) {
      const id = `${family}-${i}`;
      if (!split || splitOf(id) === split) out.push(supportTask(family, i));
    }
  return out;
}
