/**
 * The static fallback TwiML is what a caller hears when everything else is down, so its content
 * is checked like code: well-formed, Japanese, apologetic, and ends the call cleanly.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { INFRA_ROOT } from '../lib/function-catalog';

const fallback = fs.readFileSync(path.join(INFRA_ROOT, 'assets', 'static', 'twilio', 'fallback.xml'), 'utf8');

describe('fallback TwiML', () => {
  it('is one <Response> with an XML declaration and balanced tags', () => {
    assert.match(fallback, /^<\?xml version="1\.0" encoding="UTF-8"\?>/);
    const body = fallback.replace(/<\?xml[^>]*\?>/, '').replace(/<!--[\s\S]*?-->/g, '').trim();
    assert.match(body, /^<Response>[\s\S]*<\/Response>$/);
    const stack: string[] = [];
    for (const [, closing, name, selfClosing] of body.matchAll(/<(\/?)([A-Za-z]+)[^>]*?(\/?)>/g)) {
      if (selfClosing) continue;
      if (closing) assert.equal(stack.pop(), name, `</${name}> closes what it opened`);
      else stack.push(name);
    }
    assert.deepEqual(stack, []);
    assert.doesNotMatch(body, /&(?!(amp|lt|gt|quot|apos);)/, 'no unescaped ampersand');
  });

  it('apologises in Japanese with Polly.Mizuki, then hangs up', () => {
    const say = /<Say language="ja-JP" voice="Polly\.Mizuki">([^<]+)<\/Say>/.exec(fallback);
    assert.ok(say, 'a Japanese <Say>');
    assert.match(say[1], /申し訳/);
    assert.match(say[1], /[\u3040-\u30ff\u4e00-\u9fff]/);
    assert.ok(fallback.indexOf('<Hangup/>') > fallback.indexOf('</Say>'), '<Hangup/> after the message');
  });
});
