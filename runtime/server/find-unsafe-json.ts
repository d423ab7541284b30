/**
 * Structural hazards in an untrusted JSON body, found before the schema or any adapter sees it:
 * - nesting deeper than a bound: the code downstream recurses (JSON.stringify of the native body,
 *   schema converters, the audit writer), and a few thousand levels — a 10 KB body — overflowed the
 *   stack there and ended as a 500;
 * - keys that reach an object's prototype (`__proto__`, `constructor.prototype`): JSON.parse makes
 *   them plain own properties, but the adapters copy request objects by assignment
 *   (`body[name] = value`), where `__proto__` would swap the copy's prototype instead and the field
 *   would silently vanish; and a recursive merge could reach Object.prototype through
 *   `constructor.prototype`. Refusing them costs nothing here (this walk visits every key anyway),
 *   and no real chat request needs them.
 * Iterative, never recursive: the walk itself must survive the bodies it refuses.
 */

export interface UnsafeJson {
  readonly kind: 'too-deep' | 'prototype-key';
  /** Object keys and array indexes from the root to the offending node. */
  readonly path: readonly (string | number)[];
}

/**
 * Undefined when `root` nests at most `maxDepth` levels of arrays and objects (the root is level 1)
 * and has no prototype key; else the first hazard in document order.
 */
export function findUnsafeJson(root: unknown, maxDepth: number): UnsafeJson | undefined {
  return isSafe(root, maxDepth) ? undefined : locate(root, maxDepth);
}

/**
 * The hot path (every request): a worklist of containers still to visit, each with its depth. A yes/no
 * answer does not depend on the visiting order, so no key list, frame or path is kept per node —
 * nothing is allocated per node, and one pass answers both questions.
 */
function isSafe(root: unknown, maxDepth: number): boolean {
  if (typeof root !== 'object' || root === null) return true;
  const pending: object[] = [root];
  const depths: number[] = [1];
  for (;;) {
    const node = pending.pop();
    if (node === undefined) return true;
    const depth = depths.pop() ?? 0;
    if (Array.isArray(node)) {
      for (let index = 0; index < node.length; index += 1) {
        const child: unknown = node[index];
        if (typeof child !== 'object' || child === null) continue;
        if (depth >= maxDepth) return false;
        pending.push(child);
        depths.push(depth + 1);
      }
      continue;
    }
    // for…in, not Object.keys: no array per object. JSON.parse objects inherit nothing enumerable.
    for (const key in node) {
      if (key === '__proto__') return false;
      const child: unknown = (node as Readonly<Record<string, unknown>>)[key];
      if (typeof child !== 'object' || child === null) continue;
      if (depth >= maxDepth || (key === 'constructor' && Object.hasOwn(child, 'prototype'))) return false;
      pending.push(child);
      depths.push(depth + 1);
    }
  }
}

interface Frame {
  readonly node: object;
  readonly keys: readonly string[];
  next: number;
}

/** The cold path, only for a body already refused: a depth-first walk that keeps the path. */
function locate(root: unknown, maxDepth: number): UnsafeJson | undefined {
  if (typeof root !== 'object' || root === null) return undefined;
  const frames: Frame[] = [{ node: root, keys: Object.keys(root), next: 0 }];
  const path: (string | number)[] = [];
  for (let frame = frames.at(-1); frame !== undefined; frame = frames.at(-1)) {
    const key = frame.keys[frame.next];
    if (key === undefined) {
      frames.pop();
      path.pop();
      continue;
    }
    frame.next += 1;
    const isArray = Array.isArray(frame.node);
    const segment = isArray ? Number(key) : key;
    if (!isArray && key === '__proto__') return { kind: 'prototype-key', path: [...path, segment] };
    const child: unknown = (frame.node as Readonly<Record<string, unknown>>)[key];
    if (typeof child !== 'object' || child === null) continue;
    if (!isArray && key === 'constructor' && Object.hasOwn(child, 'prototype')) return { kind: 'prototype-key', path: [...path, segment, 'prototype'] };
    if (frames.length >= maxDepth) return { kind: 'too-deep', path: [...path, segment] };
    frames.push({ node: child, keys: Object.keys(child), next: 0 });
    path.push(segment);
  }
  return undefined;
}
