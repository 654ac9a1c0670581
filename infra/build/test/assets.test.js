"use strict";
var __createBinding = (this && this.__createBinding) || (Object.create ? (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    var desc = Object.getOwnPropertyDescriptor(m, k);
    if (!desc || ("get" in desc ? !m.__esModule : desc.writable || desc.configurable)) {
      desc = { enumerable: true, get: function() { return m[k]; } };
    }
    Object.defineProperty(o, k2, desc);
}) : (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    o[k2] = m[k];
}));
var __setModuleDefault = (this && this.__setModuleDefault) || (Object.create ? (function(o, v) {
    Object.defineProperty(o, "default", { enumerable: true, value: v });
}) : function(o, v) {
    o["default"] = v;
});
var __importStar = (this && this.__importStar) || (function () {
    var ownKeys = function(o) {
        ownKeys = Object.getOwnPropertyNames || function (o) {
            var ar = [];
            for (var k in o) if (Object.prototype.hasOwnProperty.call(o, k)) ar[ar.length] = k;
            return ar;
        };
        return ownKeys(o);
    };
    return function (mod) {
        if (mod && mod.__esModule) return mod;
        var result = {};
        if (mod != null) for (var k = ownKeys(mod), i = 0; i < k.length; i++) if (k[i] !== "default") __createBinding(result, mod, k[i]);
        __setModuleDefault(result, mod);
        return result;
    };
})();
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
/**
 * The static fallback TwiML is what a caller hears when everything else is down, so its content
 * is checked like code: well-formed, Japanese, apologetic, and ends the call cleanly.
 */
const strict_1 = __importDefault(require("node:assert/strict"));
const fs = __importStar(require("node:fs"));
const path = __importStar(require("node:path"));
const node_test_1 = require("node:test");
const function_catalog_1 = require("../lib/function-catalog");
const fallback = fs.readFileSync(path.join(function_catalog_1.INFRA_ROOT, 'assets', 'static', 'twilio', 'fallback.xml'), 'utf8');
(0, node_test_1.describe)('fallback TwiML', () => {
    (0, node_test_1.it)('is one <Response> with an XML declaration and balanced tags', () => {
        strict_1.default.match(fallback, /^<\?xml version="1\.0" encoding="UTF-8"\?>/);
        const body = fallback.replace(/<\?xml[^>]*\?>/, '').replace(/<!--[\s\S]*?-->/g, '').trim();
        strict_1.default.match(body, /^<Response>[\s\S]*<\/Response>$/);
        const stack = [];
        for (const [, closing, name, selfClosing] of body.matchAll(/<(\/?)([A-Za-z]+)[^>]*?(\/?)>/g)) {
            if (selfClosing)
                continue;
            if (closing)
                strict_1.default.equal(stack.pop(), name, `</${name}> closes what it opened`);
            else
                stack.push(name);
        }
        strict_1.default.deepEqual(stack, []);
        strict_1.default.doesNotMatch(body, /&(?!(amp|lt|gt|quot|apos);)/, 'no unescaped ampersand');
    });
    (0, node_test_1.it)('apologises in Japanese with Polly.Mizuki, then hangs up', () => {
        const say = /<Say language="ja-JP" voice="Polly\.Mizuki">([^<]+)<\/Say>/.exec(fallback);
        strict_1.default.ok(say, 'a Japanese <Say>');
        strict_1.default.match(say[1], /申し訳/);
        strict_1.default.match(say[1], /[\u3040-\u30ff\u4e00-\u9fff]/);
        strict_1.default.ok(fallback.indexOf('<Hangup/>') > fallback.indexOf('</Say>'), '<Hangup/> after the message');
    });
});
//# sourceMappingURL=assets.test.js.map