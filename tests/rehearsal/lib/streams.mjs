// The rehearsal's Lambda event source mappings for DynamoDB streams: each mapping of the template
// polls its table's stream on the local AWS-compatible server (moto keeps a stream of every write
// to a table that has one), with the function's own credentials through the rehearsal's IAM — as
// Lambda reads a stream with the function's execution role — and invokes the function as Lambda
// does:
//
// - polled four times a second per shard, from the mapping's starting position;
// - a record whose old and new image are equal is not one (DynamoDB writes no stream record for a
//   write that changed nothing, moto does);
// - the mapping's filter criteria (Lambda's event filtering, on the record as the function would
//   get it): a record no filter matches is dropped and costs no invocation;
// - batches of up to BatchSize records, in order, one batch at a time per shard;
// - a failed invocation is retried (MaximumRetryAttempts), split in halves first when
//   BisectBatchOnFunctionError is on, and dropped when the retries run out; with
//   ReportBatchItemFailures, the batch is retried from the first record the function names;
// - records older than MaximumRecordAgeInSeconds are dropped unread.
// https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html
// https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html

import { DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-dynamodb-streams';

const POLL_MS = 250;

/** Whether a record matches one filter pattern (Lambda's event pattern syntax). */
export function matchesPattern(pattern, value) {
  if (Array.isArray(pattern)) return pattern.some((rule) => matchesRule(rule, value));
  if (pattern && typeof pattern === 'object') {
    if (!value || typeof value !== 'object' || Array.isArray(value)) {
      // `{"field": [{"exists": false}]}` matches an absent field.
      return Object.values(pattern).every((p) => Array.isArray(p) && p.some((r) => r && typeof r === 'object' && r.exists === false));
    }
    return Object.entries(pattern).every(([key, p]) => matchesPattern(p, value[key]));
  }
  throw new Error(`filter pattern ${JSON.stringify(pattern)}: a field's pattern is an object or a list of rules`);
}

function matchesRule(rule, value) {
  const values = Array.isArray(value) ? value : [value];
  if (rule === null || typeof rule !== 'object') return value !== undefined && values.some((v) => v === rule);
  const [[op, arg], ...more] = Object.entries(rule);
  if (more.length > 0 && op !== 'numeric') throw new Error(`filter rule ${JSON.stringify(rule)} has more than one operator`);
  switch (op) {
    case 'prefix':
      return values.some((v) => typeof v === 'string' && v.startsWith(arg));
    case 'suffix':
      return values.some((v) => typeof v === 'string' && v.endsWith(arg));
    case 'equals-ignore-case':
      return values.some((v) => typeof v === 'string' && v.toLowerCase() === String(arg).toLowerCase());
    case 'exists':
      return arg ? value !== undefined : value === undefined;
    case 'anything-but': {
      const banned = Array.isArray(arg) ? arg : [arg];
      if (banned.length === 1 && banned[0] && typeof banned[0] === 'object') return !matchesRule(banned[0], value);
      return value !== undefined && values.every((v) => !banned.includes(v));
    }
    case 'numeric': {
      const ops = rule.numeric;
      const check = { '=': (a, b) => a === b, '<': (a, b) => a < b, '<=': (a, b) => a <= b, '>': (a, b) => a > b, '>=': (a, b) => a >= b };
      return values.some((v) => {
        const n = Number(v);
        if (!Number.isFinite(n)) return false;
        for (let i = 0; i < ops.length; i += 2) {
          if (!check[ops[i]]) throw new Error(`filter rule ${JSON.stringify(rule)}: unknown comparison ${ops[i]}`);
          if (!check[ops[i]](n, Number(ops[i + 1]))) return false;
        }
        return true;
      });
    }
    default:
      throw new Error(`filter rule ${JSON.stringify(rule)}: the rehearsal does not know the operator ${op}`);
  }
}

/** An AttributeValue as the stream's JSON writes it (the SDK gives binary as bytes). */
function attribute(v) {
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  if (Array.isArray(v)) return v.map(attribute);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, attribute(x)]));
  return v;
}

function image(item) {
  return item === undefined ? undefined : attribute(item);
}

export class StreamMapping {
  /**
   * `mapping`: the provisioned AWS::Lambda::EventSourceMapping; `table`: the table whose stream
   * it names; `fn`: the LambdaFunction it invokes; `endpoint`: the rehearsal's IAM proxy;
   * `credentials`: the function's own.
   */
  constructor({ mapping, table, fn, endpoint, credentials, region, log }) {
    this.mapping = mapping;
    this.table = table;
    this.fn = fn;
    this.region = region;
    this.log = log;
    this.filters = (mapping.FilterCriteria?.Filters ?? []).map((f) => JSON.parse(f.Pattern));
    this.batchSize = Number(mapping.BatchSize ?? 100);
    this.retries = mapping.MaximumRetryAttempts === undefined ? Infinity : Number(mapping.MaximumRetryAttempts);
    this.maxAgeMs = mapping.MaximumRecordAgeInSeconds === undefined || Number(mapping.MaximumRecordAgeInSeconds) === -1 ? Infinity : Number(mapping.MaximumRecordAgeInSeconds) * 1000;
    this.bisect = Boolean(mapping.BisectBatchOnFunctionError);
    this.partial = (mapping.FunctionResponseTypes ?? []).includes('ReportBatchItemFailures');
    this.client = new DynamoDBStreamsClient({
      endpoint,
      region,
      credentials: { accessKeyId: credentials.AWS_ACCESS_KEY_ID, secretAccessKey: credentials.AWS_SECRET_ACCESS_KEY, sessionToken: credentials.AWS_SESSION_TOKEN },
    });
    this.stats = { polls: 0, records: 0, unchanged: 0, filteredOut: 0, tooOld: 0, invocations: 0, delivered: 0, dropped: 0, retries: 0 };
    this.stopped = false;
    /** Resolves once the poller holds its first shard iterator (a write after it is seen). */
    this.ready = new Promise((resolve) => (this.markReady = resolve));
  }

  async start() {
    if (this.mapping.Enabled === false) return this.markReady();
    const stream = (await this.client.send(new DescribeStreamCommand({ StreamArn: this.table.streamArn }))).StreamDescription;
    if (stream.StreamViewType !== this.table.streamViewType) throw new Error(`stream of ${this.table.id} is ${stream.StreamViewType}, not ${this.table.streamViewType}`);
    const shards = stream.Shards ?? [];
    if (shards.length === 0) throw new Error(`the stream of ${this.table.id} has no shard`);
    const iterators = [];
    for (const shard of shards) {
      const { ShardIterator } = await this.client.send(
        new GetShardIteratorCommand({ StreamArn: this.table.streamArn, ShardId: shard.ShardId, ShardIteratorType: this.mapping.StartingPosition ?? 'LATEST' }),
      );
      iterators.push([shard.ShardId, ShardIterator]);
    }
    this.markReady();
    this.loops = iterators.map(([shardId, it]) =>
      this.poll(shardId, it).catch((e) => {
        if (!this.stopped) this.log(`stream of ${this.table.id}: the poller stopped: ${e.stack ?? e}`);
      }),
    );
  }

  async poll(shardId, iterator) {
    let pending = [];
    let checkpoint;
    while (!this.stopped) {
      if (pending.length === 0) {
        let out;
        try {
          out = await this.client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
        } catch (e) {
          if (this.stopped) return;
          this.log(`stream of ${this.table.id}: GetRecords failed: ${e.message}`);
          await sleep(POLL_MS);
          continue;
        }
        this.stats.polls += 1;
        iterator = out.NextShardIterator;
        const records = out.Records ?? [];
        if (records.length > 0) checkpoint = records.at(-1).dynamodb.SequenceNumber;
        pending = this.accept(records);
        if (pending.length === 0) {
          await sleep(POLL_MS);
          // Read on from the checkpoint with an iterator taken again, as Lambda's poller resumes
          // from its checkpoint: moto's own next iterator, once it has come back empty, can stay
          // empty after more records arrive.
          if (records.length === 0 && checkpoint !== undefined && !this.stopped) {
            try {
              iterator = (await this.client.send(
                new GetShardIteratorCommand({ StreamArn: this.table.streamArn, ShardId: shardId, ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: checkpoint }),
              )).ShardIterator;
            } catch (e) {
              if (!this.stopped) this.log(`stream of ${this.table.id}: GetShardIterator failed: ${e.message}`);
            }
          }
          continue;
        }
      }
      pending = await this.deliver(pending);
    }
  }

  /** The records as Lambda hands them to the function, less those it would never invoke it for. */
  accept(records) {
    const out = [];
    for (const r of records) {
      this.stats.records += 1;
      const d = r.dynamodb ?? {};
      const record = {
        eventID: r.eventID,
        eventName: r.eventName,
        eventVersion: '1.1',
        eventSource: 'aws:dynamodb',
        awsRegion: this.region,
        dynamodb: {
          ApproximateCreationDateTime: d.ApproximateCreationDateTime instanceof Date ? d.ApproximateCreationDateTime.getTime() / 1000 : Number(d.ApproximateCreationDateTime ?? Date.now() / 1000),
          Keys: image(d.Keys),
          ...(d.NewImage ? { NewImage: image(d.NewImage) } : {}),
          ...(d.OldImage ? { OldImage: image(d.OldImage) } : {}),
          SequenceNumber: d.SequenceNumber,
          SizeBytes: d.SizeBytes,
          StreamViewType: d.StreamViewType,
        },
        eventSourceARN: this.table.streamArn,
      };
      if (record.eventName === 'MODIFY' && d.NewImage && d.OldImage && sameItem(record.dynamodb.NewImage, record.dynamodb.OldImage)) {
        this.stats.unchanged += 1;
        continue;
      }
      if (this.filters.length > 0 && !this.filters.some((f) => matchesPattern(f, record))) {
        this.stats.filteredOut += 1;
        continue;
      }
      out.push(record);
    }
    return out;
  }

  /** Delivers the first batch of `pending`; resolves with what is left to deliver. */
  async deliver(pending) {
    const fresh = pending.filter((r) => Date.now() - r.dynamodb.ApproximateCreationDateTime * 1000 <= this.maxAgeMs);
    this.stats.tooOld += pending.length - fresh.length;
    if (fresh.length === 0) return [];
    const batch = fresh.slice(0, this.batchSize);
    const rest = fresh.slice(batch.length);
    await this.invokeWithRetries(batch, 0);
    return rest;
  }

  async invokeWithRetries(batch, attempt) {
    if (this.stopped) return;
    this.stats.invocations += 1;
    let failedFrom = null;
    try {
      const answer = JSON.parse((await this.fn.invoke({ Records: batch })) || 'null');
      if (this.partial && answer && Array.isArray(answer.batchItemFailures) && answer.batchItemFailures.length > 0) {
        const ids = answer.batchItemFailures.map((f) => f.itemIdentifier);
        const index = batch.findIndex((r) => ids.includes(r.dynamodb.SequenceNumber));
        // A failure naming no record of the batch fails the whole batch, as Lambda treats it.
        failedFrom = index === -1 ? 0 : index;
      }
    } catch (e) {
      this.log(`${this.fn.spec.name} failed on a batch of ${batch.length} stream records: ${e.message}`);
      failedFrom = 0;
      if (this.bisect && batch.length > 1 && attempt < this.retries) {
        this.stats.retries += 1;
        const half = Math.ceil(batch.length / 2);
        await this.invokeWithRetries(batch.slice(0, half), attempt + 1);
        await this.invokeWithRetries(batch.slice(half), attempt + 1);
        return;
      }
    }
    if (failedFrom === null) {
      this.stats.delivered += batch.length;
      return;
    }
    this.stats.delivered += failedFrom;
    const again = batch.slice(failedFrom);
    if (attempt >= this.retries) {
      this.stats.dropped += again.length;
      this.log(`${this.fn.spec.name}: ${again.length} stream record(s) dropped after ${attempt} retries`);
      return;
    }
    this.stats.retries += 1;
    await sleep(POLL_MS);
    await this.invokeWithRetries(again, attempt + 1);
  }

  async stop() {
    this.stopped = true;
    this.client.destroy();
  }
}

/** Two items in DynamoDB's JSON, compared as values (attribute order does not matter). */
function sameItem(a, b) {
  const canonical = (v) => {
    if (Array.isArray(v)) return v.map(canonical);
    if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical(v[k])]));
    return v;
  };
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

/** The event source mappings of a stack that read a table's stream, started. */
export async function startStreamMappings({ stack, functions, iamUrl, log }) {
  const started = [];
  for (const mapping of stack.eventSourceMappings) {
    const table = stack.tables.find((t) => t.streamArn && t.streamArn === mapping.EventSourceArn);
    if (!table) throw new Error(`event source mapping ${mapping.id} reads ${mapping.EventSourceArn}, which is no table stream of the stack`);
    const spec = [...stack.functions.values()].find((f) => f.name === mapping.FunctionName || f.arn === mapping.FunctionName);
    if (!spec) throw new Error(`event source mapping ${mapping.id} invokes ${mapping.FunctionName}, no function of the stack`);
    const fn = functions.get(spec.id);
    const m = new StreamMapping({ mapping, table, fn, endpoint: iamUrl, credentials: fn.credentials, region: stack.region, log });
    await m.start();
    started.push(m);
  }
  return started;
}
