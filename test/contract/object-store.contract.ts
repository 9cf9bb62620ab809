import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { type Readable, Writable } from 'node:stream';
import { afterEach, beforeEach, describe, it } from 'node:test';
import {
  ObjectNotFoundError,
  ObjectOffsetMismatchError,
  type ObjectStore,
} from '../../src/domain/ports/object-store.js';

/** A fresh, empty store per test, and how to clean it up. */
export interface ObjectStoreFixture {
  store: ObjectStore;
  dispose(): Promise<void>;
}

/** Behaviour every ObjectStore driver must have; each driver's test file calls this once. */
export function objectStoreContract(driver: string, create: () => Promise<ObjectStoreFixture>): void {
  describe(`ObjectStore contract: ${driver}`, () => {
    let fixture: ObjectStoreFixture;
    let store: ObjectStore;
    beforeEach(async () => {
      fixture = await create();
      store = fixture.store;
    });
    afterEach(() => fixture.dispose());

    const put = (key: string, data: Buffer) => store.append(key, 0, chunks(data));
    const get = async (key: string) => readAll(await store.read(key));

    it('round-trips bytes and reports their size', async () => {
      assert.equal(await store.append('a/b/obj', 0, chunks(Buffer.from('hello '), Buffer.from('world'))), 11);
      assert.deepEqual(await store.stat('a/b/obj'), { size: 11 });
      assert.equal((await get('a/b/obj')).toString(), 'hello world');
    });

    it('creates an empty object from an empty append at offset 0', async () => {
      assert.equal(await store.append('empty', 0, chunks()), 0);
      assert.deepEqual(await store.stat('empty'), { size: 0 });
      assert.equal((await get('empty')).length, 0);
    });

    it('reads inclusive byte ranges', async () => {
      const data = pattern(1000);
      await put('ranged', data);
      for (const [start, end] of [[0, 0], [999, 999], [100, 199], [0, 999]] as const) {
        const part = await readAll(await store.read('ranged', { start, end }));
        assert.deepEqual(part, data.subarray(start, end + 1), `range ${start}-${end}`);
      }
    });

    it('reports absent objects', async () => {
      assert.equal(await store.stat('missing'), undefined);
      await assert.rejects(store.read('missing'), (e) => e instanceof ObjectNotFoundError && e.key === 'missing');
      await assert.rejects(store.read('missing/deeper', { start: 0, end: 0 }), ObjectNotFoundError);
      await put('dir/obj', pattern(3));
      assert.equal(await store.stat('dir'), undefined, 'a prefix is not an object');
      await assert.rejects(store.read('dir'), ObjectNotFoundError);
    });

    it('sends an object or a range into a destination, reusing nothing the destination still holds', async () => {
      const data = randomBytes(9 * 1024 * 1024 + 123); // more than a few of any driver's send buffers, and not periodic
      await put('sent', data);
      for (const range of [undefined, { start: 0, end: 0 }, { start: 1_000_000, end: 4_999_999 }, { start: data.length - 10, end: data.length + 50 }]) {
        const sink = new CollectingSink(); // holds on to what it is given, as a slow socket would
        await (await store.openForSend('sent', range)).sendTo(sink);
        const expected = range ? data.subarray(range.start, Math.min(range.end, data.length - 1) + 1) : data;
        assert.ok(sink.bytes().equals(expected), `range ${JSON.stringify(range)}`);
      }
      await put('empty-sent', Buffer.alloc(0));
      const empty = new CollectingSink();
      await (await store.openForSend('empty-sent')).sendTo(empty);
      assert.equal(empty.bytes().length, 0);
    });

    it('refuses to send an absent object, and stops when the destination fails', async () => {
      await assert.rejects(store.openForSend('missing'), ObjectNotFoundError);
      await put('big', pattern(8 * 1024 * 1024));
      const failing = new Writable({ write: (_chunk, _encoding, callback) => callback(new Error('socket gone')) });
      failing.on('error', () => {});
      await assert.rejects((await store.openForSend('big')).sendTo(failing));
      const sender = await store.openForSend('big');
      await sender.close(); // opened but not sent: closing releases it
    });

    it('continues an append at the current size', async () => {
      assert.equal(await put('grow', Buffer.from('abc')), 3);
      assert.equal(await store.append('grow', 3, chunks(Buffer.from('def'))), 6);
      assert.equal((await get('grow')).toString(), 'abcdef');
    });

    it('rejects an append at the wrong offset and writes nothing', async () => {
      await assert.rejects(
        store.append('absent', 4, chunks(Buffer.from('x'))),
        (e) => e instanceof ObjectOffsetMismatchError && e.expected === 4 && e.actual === 0,
      );
      assert.equal(await store.stat('absent'), undefined, 'a mismatched append creates nothing');
      await put('fixed', Buffer.from('abcdef'));
      for (const offset of [0, 3, 10]) {
        let pulled = false;
        const data = (async function* () {
          pulled = true;
          yield Buffer.from('zzz');
        })();
        await assert.rejects(
          store.append('fixed', offset, data),
          (e) => e instanceof ObjectOffsetMismatchError && e.expected === offset && e.actual === 6,
        );
        assert.equal(pulled, false, 'data is not consumed');
      }
      assert.equal((await get('fixed')).toString(), 'abcdef');
    });

    it('keeps every chunk received before the data fails, and reports the failure', async () => {
      const data = pattern(6000);
      const boom = new Error('boom');
      const failing = (async function* () {
        yield data.subarray(0, 3000);
        yield data.subarray(3000);
        throw boom;
      })();
      await assert.rejects(store.append('partial', 0, failing), (e) => e === boom);
      assert.deepEqual(await store.stat('partial'), { size: 6000 });
      assert.equal(await store.append('partial', 6000, chunks(Buffer.from('!'))), 6001);
      assert.deepEqual((await get('partial')).subarray(0, 6000), data);
    });

    it('stops on abort, even when the data stalls, keeping what was received', async () => {
      const controller = new AbortController();
      const stalling = (async function* () {
        yield Buffer.from('first-');
        yield Buffer.from('second');
        setImmediate(() => controller.abort());
        await new Promise(() => {}); // never delivers again
      })();
      await assert.rejects(store.append('aborted', 0, stalling, controller.signal), { name: 'AbortError' });
      assert.equal((await get('aborted')).toString(), 'first-second');
      assert.equal(await store.append('aborted', 12, chunks(Buffer.from('!'))), 13);

      const aborted = AbortSignal.abort();
      await assert.rejects(store.append('never', 0, chunks(Buffer.from('x')), aborted), { name: 'AbortError' });
      assert.equal(await store.stat('never'), undefined);
      await assert.rejects(store.read('aborted', undefined, aborted), { name: 'AbortError' });
    });

    it('keeps an in-flight read whole when the object is deleted', async () => {
      const data = pattern(100_000);
      await put('doomed', data);
      const stream = await store.read('doomed');
      await store.delete('doomed');
      assert.deepEqual(await readAll(stream), data);
    });

    it('commits by moving the object into place', async () => {
      await put('uploads/1/data', Buffer.from('blob'));
      await store.commit('uploads/1/data', 'blobs/ab/abcd');
      assert.equal(await store.stat('uploads/1/data'), undefined);
      assert.equal((await get('blobs/ab/abcd')).toString(), 'blob');
      assert.deepEqual(await collect(store.list('')), ['blobs/ab/abcd']);
    });

    it('commits onto an existing object by discarding the source', async () => {
      await put('blobs/x', Buffer.from('same'));
      await put('uploads/2', Buffer.from('same'));
      await store.commit('uploads/2', 'blobs/x');
      assert.equal(await store.stat('uploads/2'), undefined);
      assert.equal((await get('blobs/x')).toString(), 'same');
    });

    it('rejects a commit of an absent source', async () => {
      await assert.rejects(store.commit('uploads/none', 'blobs/y'), ObjectNotFoundError);
      assert.equal(await store.stat('blobs/y'), undefined);
    });

    it('deletes idempotently', async () => {
      await store.delete('never/was');
      await put('gone/soon', Buffer.from('x'));
      await store.delete('gone/soon');
      assert.equal(await store.stat('gone/soon'), undefined);
      await store.delete('gone/soon');
      assert.deepEqual(await collect(store.list('')), []);
    });

    it('lists every key under a directory prefix', async () => {
      for (const key of ['a/1', 'a/b/2', 'a/b/c/3', 'ab/4', 'z']) await put(key, Buffer.from(key));
      assert.deepEqual(await collect(store.list('a')), ['a/1', 'a/b/2', 'a/b/c/3']);
      assert.deepEqual(await collect(store.list('a/')), ['a/1', 'a/b/2', 'a/b/c/3']);
      assert.deepEqual(await collect(store.list('a/b')), ['a/b/2', 'a/b/c/3']);
      assert.deepEqual(await collect(store.list('')), ['a/1', 'a/b/2', 'a/b/c/3', 'ab/4', 'z']);
      assert.deepEqual(await collect(store.list('nothing/here')), []);
    });

    it('rejects keys that are not plain relative paths', async () => {
      const bad = ['', '/abs', 'a//b', 'a/', './a', 'a/./b', '..', '../x', 'a/../../x', 'a\\b', '..\\x', 'a\0b'];
      await put('ok', Buffer.from('x'));
      for (const key of bad) {
        const label = JSON.stringify(key);
        await assert.rejects(store.stat(key), Error, `stat ${label}`);
        await assert.rejects(store.read(key), Error, `read ${label}`);
        await assert.rejects(store.append(key, 0, chunks(Buffer.from('x'))), Error, `append ${label}`);
        await assert.rejects(store.delete(key), Error, `delete ${label}`);
        await assert.rejects(store.commit('ok', key), Error, `commit to ${label}`);
        await assert.rejects(store.commit(key, 'elsewhere'), Error, `commit from ${label}`);
        if (key !== '' && key !== 'a/') await assert.rejects(async () => collect(store.list(key)), Error, `list ${label}`);
      }
      assert.deepEqual(await collect(store.list('')), ['ok']);
    });

    it('streams a large append with bounded memory', async () => {
      const size = 256 * 1024 * 1024;
      const chunk = 256 * 1024;
      const written = createHash('sha256');
      const before = process.memoryUsage().rss;
      let peak = before;
      // A fresh buffer per chunk, as a socket gives them: drivers may hold chunks until they are written.
      const lazily = (async function* () {
        for (let offset = 0; offset < size; offset += chunk) {
          const bytes = Buffer.allocUnsafe(chunk).fill(offset / chunk);
          written.update(bytes);
          peak = Math.max(peak, process.memoryUsage().rss);
          yield bytes;
        }
      })();
      assert.equal(await store.append('big', 0, lazily), size);
      const growth = peak - before;
      assert.ok(growth < size / 4, `rss grew ${(growth / 2 ** 20).toFixed(1)} MiB for ${size / 2 ** 20} MiB`);
      const read = createHash('sha256');
      for await (const part of await store.read('big')) read.update(part as Buffer);
      assert.equal(read.digest('hex'), written.digest('hex'));
    });

    it('serialises concurrent appends to one key', async () => {
      const slow = (text: string) =>
        (async function* () {
          for (const char of text) {
            await new Promise((resolve) => setTimeout(resolve, 2));
            yield Buffer.from(char);
          }
        })();
      // The second append waits for the first, so it sees the size the first one leaves.
      const results = await Promise.all([store.append('serial', 0, slow('aaaa')), store.append('serial', 4, slow('bbbb'))]);
      assert.deepEqual(results, [4, 8]);
      assert.equal((await get('serial')).toString(), 'aaaabbbb');
      // Two appends at the same offset: exactly one wins, and its bytes are not mixed with the other's.
      const outcomes = await Promise.allSettled([store.append('race', 0, slow('xxxx')), store.append('race', 0, slow('yyyy'))]);
      assert.deepEqual(outcomes.map((o) => o.status).sort(), ['fulfilled', 'rejected']);
      const loser = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
      assert.ok(loser.reason instanceof ObjectOffsetMismatchError);
      assert.match((await get('race')).toString(), /^(xxxx|yyyy)$/);
    });
  });
}

async function* chunks(...parts: Uint8Array[]): AsyncGenerator<Uint8Array> {
  yield* parts;
}

function pattern(length: number): Buffer {
  const bytes = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 31 + 7) & 0xff;
  return bytes;
}

async function readAll(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

async function collect(keys: AsyncIterable<string>): Promise<string[]> {
  const all: string[] = [];
  for await (const key of keys) all.push(key);
  return all.sort();
}

/**
 * A destination that takes its time with each chunk, as a slow socket does, and checks that every
 * chunk still holds what it held when it was written (a driver may reuse a buffer only after the
 * write's callback).
 */
class CollectingSink extends Writable {
  private readonly copies: Buffer[] = [];
  private checked = 0;
  constructor() {
    super({ highWaterMark: 64 * 1024 * 1024 }); // never asks to drain: only the write callbacks pace the driver
  }
  override write(chunk: Buffer, ...rest: never[]): boolean {
    this.copies.push(Buffer.from(chunk));
    return super.write(chunk, ...rest);
  }
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    const copy = this.copies[this.checked++]!;
    setTimeout(() => callback(chunk.equals(copy) ? null : new Error('a chunk changed before its write completed')), 5);
  }
  bytes(): Buffer {
    return Buffer.concat(this.copies);
  }
}
