import type { SupportTask } from './tasks';

/** Which role may use which tool. */
export const SUPPORT_TOOLS = {
  coordinator: ['notify_customer', 'close_ticket'],
  billing: ['lookup_order', 'issue_refund'],
  account: ['lookup_customer', 'update_address', 'change_plan', 'remove_addons'],
} as const satisfies Record<string, readonly string[]>;

export type SupportRole = keyof typeof SUPPORT_TOOLS;
export const SUPPORT_ROLES = Object.keys(SUPPORT_TOOLS) as SupportRole[];

/** The arguments each tool takes (all required). */
export const TOOL_ARGS: Record<string, readonly string[]> = {
  notify_customer: ['customer_id', 'message'],
  close_ticket: ['ticket_id'],
  lookup_order: ['order_id'],
  issue_refund: ['order_id', 'amount'],
  lookup_customer: ['customer_id'],
  update_address: ['customer_id', 'postcode'],
  change_plan: ['customer_id', 'plan', 'effective_date'],
  remove_addons: ['customer_id'],
};

export type ToolOutcome =
  | { ok: true; output: Record<string, unknown> }
  | { ok: false; output: { error: { code: string; message: string; retry_after_ms?: number } } };

/** Simulated time each tool call takes. */
const CALL_MS = 50;

const fail = (
  code: string,
  message: string,
  extra: { retry_after_ms?: number } = {},
): ToolOutcome => ({
  ok: false,
  output: { error: { code, message, ...extra } },
});

/**
 * The support desk's back office for one ticket: tools with hidden rules (a refund above a limit
 * needs the order looked up first; the customer service rate-limits and wants a wait of its
 * `retry_after_ms` before a retry; a plan change wants an ISO date and no active add-ons). Fully
 * deterministic: the same calls and waits give the same results, which is how the grader replays a
 * reported session against its task.
 */
export class SupportWorld {
  /** What the tools changed: `refund.<order>`, `address.<customer>`, `plan.<customer>`, ... */
  readonly state: Record<string, string | number> = {};
  private clockMs = 0;
  private readonly lookedUpOrders = new Set<string>();
  private readonly lookedUpCustomers = new Set<string>();
  private rateLimitedAt: number | null = null;
  private rateLimitCleared = false;
  private addonsRemoved = false;
  notifiedAt: number | null = null;
  closedAt: number | null = null;
  private calls = 0;

  constructor(readonly task: SupportTask) {}

  wait(ms: number): void {
    if (Number.isFinite(ms) && ms > 0) this.clockMs += Math.min(ms, 60_000);
  }

  call(tool: string, args: Record<string, unknown>): ToolOutcome {
    this.clockMs += CALL_MS;
    this.calls++;
    const needed = TOOL_ARGS[tool];
    if (!needed) return fail('UNKNOWN_TOOL', `there is no tool "${tool}"`);
    const missing = needed.filter((a) => args[a] === undefined || args[a] === '');
    if (missing.length)
      return fail('INVALID_ARGUMENT', `missing argument(s): ${missing.join(', ')}`);
    return this.run(tool, args);
  }

  private run(tool: string, a: Record<string, unknown>): ToolOutcome {
    const t = this.task;
    const customer = String(a.customer_id ?? '');
    switch (tool) {
      case 'lookup_order':
        this.lookedUpOrders.add(String(a.order_id));
        return { ok: true, output: { order_id: a.order_id, status: 'delivered' } };
      case 'issue_refund': {
        const amount = Number(a.amount);
        if (!Number.isFinite(amount) || amount <= 0)
          return fail('INVALID_ARGUMENT', 'amount must be a positive number');
        if (amount > t.hidden.refundCheckAbove && !this.lookedUpOrders.has(String(a.order_id)))
          return fail('PRECONDITION_FAILED', 'order not verified');
        this.state[`refund.${a.order_id}`] = amount;
        return { ok: true, output: { refund_id: `R-${this.calls}` } };
      }
      case 'lookup_customer':
        return this.lookupCustomer(customer);
      case 'update_address':
        if (!this.lookedUpCustomers.has(customer))
          return fail('PRECONDITION_FAILED', 'customer record not loaded');
        this.state[`address.${customer}`] = String(a.postcode);
        return { ok: true, output: { updated: true } };
      case 'change_plan':
        if (!/^\d{4}-\d{2}-\d{2}$/.test(String(a.effective_date)))
          return fail('INVALID_ARGUMENT', 'effective_date is not a valid date');
        if (t.hidden.hasAddons && !this.addonsRemoved)
          return fail('CONFLICT', 'the account has active add-ons');
        this.state[`plan.${customer}`] = `${a.plan}@${a.effective_date}`;
        return { ok: true, output: { plan: a.plan, effective_date: a.effective_date } };
      case 'remove_addons':
        if (t.hidden.hasAddons) {
          this.addonsRemoved = true;
          this.state[`addons.${customer}`] = 'removed';
        }
        return { ok: true, output: { removed: t.hidden.hasAddons ? 2 : 0 } };
      case 'notify_customer':
        if (this.closedAt !== null) return fail('TICKET_CLOSED', 'the ticket is already closed');
        this.notifiedAt = this.clockMs;
        return { ok: true, output: { sent: true } };
      default: // close_ticket
        this.closedAt = this.clockMs;
        return { ok: true, output: { closed: true } };
    }
  }

  private lookupCustomer(customer: string): ToolOutcome {
    const limit = this.task.hidden.rateLimitMs;
    if (limit > 0 && !this.rateLimitCleared) {
      if (this.rateLimitedAt === null || this.clockMs - this.rateLimitedAt < limit) {
        this.rateLimitedAt = this.clockMs;
        return fail('RATE_LIMITED', 'too many requests', { retry_after_ms: limit });
      }
      this.rateLimitCleared = true;
    }
    this.lookedUpCustomers.add(customer);
    return { ok: true, output: { customer_id: customer, tier: 'standard' } };
  }

  /** Whether the ticket's request was carried out exactly (the grader's ground truth). */
  resolved(): boolean {
    return Object.entries(this.task.expected).every(([k, v]) => this.state[k] === v);
  }
}
