import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import {
  eventAppended,
  SCHEMA_VERSION,
  TOPICS,
  validateMessage,
  type TopicName,
} from '@reverie/contracts';
import { someEvents } from '@reverie/testing';
import Ajv2020 from 'ajv/dist/2020';
import { parse } from 'yaml';
import { REPO_ROOT } from '../repo-facts';
import { asyncApiDocument, contractFiles, MESSAGE_HEADERS, schemaPath } from './event-contract';

describe('the event contract (docs/asyncapi.yaml, docs/schemas)', () => {
  const files = contractFiles();

  it('is committed exactly as the code generates it (run `npm run contract` after a change)', () => {
    const stale = Object.entries(files)
      .filter(([path, text]) => {
        const full = join(REPO_ROOT, path);
        return !existsSync(full) || readFileSync(full, 'utf8') !== text;
      })
      .map(([path]) => path);
    expect(stale).toEqual([]);
    const schemasDir = join(REPO_ROOT, 'docs/schemas');
    const committed = (readdirSync(schemasDir, { recursive: true }) as string[])
      .filter((f) => f.endsWith('.json'))
      .map((f) => relative(REPO_ROOT, join(schemasDir, f)));
    expect(committed.filter((path) => !(path in files))).toEqual([]);
  });

  it('has a channel for every topic, each message resolving to a component with a schema file', () => {
    const doc = parse(files['docs/asyncapi.yaml']);
    expect(doc.asyncapi).toBe('3.0.0');
    const addresses = Object.values(doc.channels).map((c) => (c as { address: string }).address);
    expect(addresses.sort()).toEqual(Object.values(TOPICS).sort());
    for (const channel of Object.values(doc.channels) as {
      address: string;
      messages: Record<string, { $ref: string }>;
    }[]) {
      expect(Object.keys(channel.messages).length).toBeGreaterThan(0);
      for (const [type, ref] of Object.entries(channel.messages)) {
        const id = ref.$ref.replace('#/components/messages/', '');
        const message = doc.components.messages[id];
        expect(message.name).toBe(type);
        expect(message.payload.schema.$ref).toBe(schemaPath(channel.address as TopicName, type));
        expect(files[`docs/${message.payload.schema.$ref}`]).toBeDefined();
        expect(message.bindings.kafka.key.description.length).toBeGreaterThan(5);
      }
    }
    expect(doc).toEqual(JSON.parse(JSON.stringify(asyncApiDocument())));
  });

  it('documents the headers Reverie producers set', () => {
    // EventPublisher is the one place services produce from.
    const publisher = readFileSync(
      join(REPO_ROOT, 'libs/util/kafka/src/event-publisher.ts'),
      'utf8',
    );
    expect(publisher).toContain(`'reverie-type': message.type`);
    expect(publisher).toContain(`'reverie-schema-version': '${SCHEMA_VERSION}'`);
    expect(Object.keys(MESSAGE_HEADERS)).toEqual(
      expect.arrayContaining(['reverie-type', 'reverie-schema-version']),
    );
  });

  describe('the JSON Schemas accept and refuse what the services accept and refuse', () => {
    const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
    const compiled = new Map<string, ReturnType<typeof ajv.compile>>();
    const schemaFor = (type: string) => {
      const path = `docs/${schemaPath(TOPICS.sessionEvents, type)}`;
      const validator = compiled.get(path) ?? ajv.compile(JSON.parse(files[path]) as object);
      compiled.set(path, validator);
      return validator;
    };
    const to = { tenantId: 'acme', agentId: 'agt_1', sessionId: 'ses_1' };
    const at = '2026-11-22T10:00:00.000Z';

    it('session events of every kind, built as the gateway builds them', () => {
      const check = schemaFor('session.event_appended');
      for (const event of someEvents(8)) {
        const message = eventAppended(to, event, at);
        expect(validateMessage(TOPICS.sessionEvents, message).ok).toBe(true);
        expect({ event: event.type, valid: check(message), errors: check.errors }).toEqual({
          event: event.type,
          valid: true,
          errors: null,
        });
      }
    });

    it.each([
      ['no sessionId', (m: Record<string, unknown>) => ({ ...m, sessionId: undefined })],
      ['schemaVersion 2', (m: Record<string, unknown>) => ({ ...m, schemaVersion: 2 })],
      [
        'a date without a zone',
        (m: Record<string, unknown>) => ({ ...m, occurredAt: '2026-11-22T10:00:00' }),
      ],
      ['a tenant id with a space', (m: Record<string, unknown>) => ({ ...m, tenantId: 'ac me' })],
      [
        'an event with no type',
        (m: Record<string, unknown>) => ({
          ...m,
          payload: { receivedAt: at, event: { clientEventId: 'x', content: 'hi' } },
        }),
      ],
    ])('refuse %s, as the services do', (_what, breakIt) => {
      const message = JSON.parse(
        JSON.stringify(breakIt({ ...eventAppended(to, someEvents(1)[0], at) })),
      );
      expect(validateMessage(TOPICS.sessionEvents, message).ok).toBe(false);
      expect(schemaFor('session.event_appended')(message)).toBe(false);
    });

    it('session.started and session.ended', () => {
      const started = {
        id: 'msg_1',
        type: 'session.started',
        ...to,
        occurredAt: at,
        schemaVersion: SCHEMA_VERSION,
        payload: { source: 'external', title: 'from a Java service' },
      };
      const ended = {
        ...started,
        id: 'msg_2',
        type: 'session.ended',
        payload: { status: 'completed' },
      };
      for (const m of [started, ended]) {
        expect(validateMessage(TOPICS.sessionEvents, m).ok).toBe(true);
        expect(schemaFor(m.type)(m)).toBe(true);
      }
      const badEnd = { ...ended, payload: { status: 'done' } };
      expect(validateMessage(TOPICS.sessionEvents, badEnd).ok).toBe(false);
      expect(schemaFor('session.ended')(badEnd)).toBe(false);
    });
  });
});
