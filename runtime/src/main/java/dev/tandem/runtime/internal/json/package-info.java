/**
 * Not API. The one strict JSON reader behind every parser and config loader: a document read
 * strictly (no comments, no duplicate keys, nothing after it) and typed, path-aware reads of its
 * fields whose errors name the field's JSON path, the value as written and what was expected.
 */
package dev.tandem.runtime.internal.json;
