/**
 * The AWS pieces (@smithy/signature-v4 and the event-stream codec, about 2.5 MB of resident memory:
 * issue 8's memory benchmark counts every MB of a gateway's baseline) load on the first Bedrock
 * request or frame, never with the gateway's modules.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { packageFilesLoadedAfter, runtimeModuleUrl } from '../../helpers/loaded-packages.js';

function smithyModulesAfter(body: string): string[] {
  return packageFilesLoadedAfter(`await import(${JSON.stringify(runtimeModuleUrl('server/start-gateway.ts'))});\n${body}`, '@smithy');
}

test('the gateway\'s modules (Bedrock adapter and transport included) load no @smithy package', () => {
  assert.deepEqual(smithyModulesAfter(''), []);
});

test('the first SigV4 signature loads the signer', () => {
  const loaded = smithyModulesAfter(`
    const { signSigV4 } = await import(${JSON.stringify(runtimeModuleUrl('transport/apply-auth.ts'))});
    await signSigV4({ method: 'POST', url: new URL('https://bedrock-runtime.eu-central-1.amazonaws.com/model/m/converse'), headers: {}, body: new Uint8Array(),
      region: 'eu-central-1', service: 'bedrock', accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret', signingDate: new Date(0) });`);
  assert.ok(loaded.some((path) => path.includes('/@smithy/signature-v4/')), JSON.stringify(loaded));
});

test('the first event-stream frame loads the codec, and it decodes what it encodes', () => {
  const loaded = smithyModulesAfter(`
    const { createEventStreamDecoder, encodeEventStreamFrames } = await import(${JSON.stringify(runtimeModuleUrl('adapters/bedrock/event-stream.ts'))});
    const [frame] = encodeEventStreamFrames([{ headers: { ':event-type': 'messageStop' }, payload: { stopReason: 'end_turn' } }]);
    const [unit] = createEventStreamDecoder().push(frame);
    if (unit.type !== 'frame' || unit.frame.headers[':event-type'] !== 'messageStop') throw new Error('round trip failed');`);
  assert.ok(loaded.some((path) => path.includes('/@smithy/eventstream-codec/')), JSON.stringify(loaded));
});
